"""A deterministic news corpus for the benchmarks.

Every article is about 700 words: a lede that reports the status of one story,
filler paragraphs of the kind wire copy carries (economy, security, history,
quotes, made-up officials with titles), sometimes a second story, and a sign-off.
Stories follow status sequences ("planned -> at_risk -> postponed -> planned ->
held"), one step per article that leads with them, so almost every article
changes a story's status. People, organisations, rockets and festivals are
made-up names built from syllables; places are real cities from
config/places.toml and countries from config/watchlist/countries.toml.

The same seed and sizes give byte-identical files:

    python -m benchmarks.generate --seed 7 --articles 20000 --stories 4000 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION = 2  # bump when the same seed would give other files (the runner's cache key)
CONFIG = ROOT / "config"

_ONSETS = ["b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "z", "br", "dr", "kr", "tr", "st",
           "g", "h", "j", "p", "f", "gr", "pl", "sk", "th", "w"]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ei", "ou", "ia"]
_CODAS = ["", "", "n", "r", "l", "s", "k", "m", "v", "t", "sk", "nd", "rn", "lt"]
_ENDINGS_M = ["o", "an", "el", "or", "is", "ek", "ar", "im"]
_ENDINGS_F = ["a", "ia", "ena", "ela", "ira", "ka", "ette", "ine"]

TITLES = ["President", "Prime Minister", "Foreign Minister", "Chancellor", "Defence Minister",
          "Trade Minister", "Finance Minister", "Vice President", "Premier", "Governor"]
MINOR_TITLES = ["Finance Minister", "Interior Minister", "Governor", "Mayor", "Senator",
                "Ambassador", "Central Bank Governor", "opposition leader", "Commissioner"]
SOURCES = ["a government spokesperson", "two officials familiar with the plans",
           "the foreign ministry", "a senior diplomat", "state media", "officials",
           "a spokesperson for the presidency", "people briefed on the talks",
           "the prime minister's office", "a statement from the cabinet"]
FUTURE = ["next week", "next month", "later this month", "later this year", "on Friday",
          "in the coming weeks", "early next year", "before the end of the year"]
LATER = ["later in the year", "the autumn", "next spring", "a date yet to be set",
         "the end of the year", "the new year"]
MONTHS = ["January", "February", "March", "April", "June", "July", "September",
          "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
FESTIVAL_HEADS = ["Lights Festival", "Music Festival", "Film Festival", "Jazz Festival",
                  "Harvest Festival", "Games", "Book Fair", "Marathon", "Regatta"]
ORG_HEADS = ["Aerospace", "Space", "Launch Services"]
TOPICS = ["trade", "energy", "security", "migration", "border", "climate", "fisheries",
          "water", "debt", "investment", "transport", "health"]

# Status sequences a story walks through, one step per article that leads with it.
SEQUENCES = [
    ["proposed", "planned", "held"],
    ["planned", "at_risk", "postponed", "planned", "held"],
    ["planned", "paused", "planned", "held"],
    ["proposed", "planned", "cancelled"],
    ["planned", "postponed", "held"],
    ["planned", "at_risk", "cancelled"],
    ["proposed", "planned", "at_risk", "planned", "held"],
    ["planned", "held"],
    ["planned", "postponed", "planned", "at_risk", "postponed", "planned", "held"],
    ["proposed", "planned", "paused", "planned", "postponed", "held"],
]

# Phrasings per kind and status. {A}/{B}: a party's first mention (title and full name)
# or later mention (surname); {C}: a city; {N}: an event's own name; {O}: an organiser.
PHRASES: dict[str, dict[str, list[str]]] = {
    "meeting": {
        "proposed": [
            "{A} has proposed a summit with {B} in {C}, {src} said.",
            "{A} wants to meet {B} in {C}, according to {src}.",
            "{A} invited {B} to {C} for talks, {src} said.",
            "A possible meeting between {A} and {B} in {C} was floated by {src}.",
            "{A} said {pa} hoped to hold talks with {B} in {C} before the end of the year.",
        ],
        "planned": [
            "{A} and {B} will meet in {C} {fut}, {src} said.",
            "A summit between {A} and {B} is due to take place in {C} {fut}.",
            "{A} is scheduled to hold talks with {B} in {C} {fut}, {src} confirmed.",
            "Preparations for the meeting between {A} and {B} in {C} are under way, "
            "{src} said.",
            "The talks between {A} and {B} in {C} have been confirmed for {fut}.",
        ],
        "at_risk": [
            "The planned summit between {A} and {B} in {C} is now in jeopardy, "
            "according to {src}.",
            "The meeting between {A} and {B} in {C} could be called off, {src} warned.",
            "Talks between {A} and {B} in {C} have hit a snag, {src} said.",
            "Doubts are growing over whether the {C} summit between {A} and {B} will go ahead.",
        ],
        "paused": [
            "Plans for a meeting between {A} and {B} in {C} have been put on hold, {src} said.",
            "The talks between {A} and {B} in {C} have been suspended, according to {src}.",
            "There are no plans for {A} to meet {B} in {C} in the immediate future, {src} said.",
            "The {C} summit between {A} and {B} has been shelved for now.",
        ],
        "postponed": [
            "The {C} summit between {A} and {B} has been postponed until {later}.",
            "The meeting between {A} and {B} in {C} was pushed back to {later}, {src} said.",
            "Talks between {A} and {B} in {C} have been delayed by several weeks, "
            "according to {src}.",
            "{A} and {B} have rescheduled their meeting in {C} for {later}.",
        ],
        "cancelled": [
            "{A} has cancelled the meeting with {B} in {C}, {src} said.",
            "The summit between {A} and {B} in {C} has been called off.",
            "The talks between {A} and {B} in {C} were scrapped, according to {src}.",
            "{Src} said the planned meeting between {A} and {B} in {C} would not take place.",
        ],
        "held": [
            "{A} and {B} met in {C} for three hours of talks.",
            "The talks between {A} and {B} took place in {C}, {src} said.",
            "{A} held talks with {B} in {C} today.",
            "The summit between {A} and {B} was held in {C} today.",
        ],
    },
    "visit": {
        "proposed": ["{A} has been invited to visit {C}, {src} said.",
                     "{A} hopes to visit {C} {fut}, according to {src}."],
        "planned": ["{A} will visit {C} {fut}, {src} said.",
                    "{A} is due to travel to {C} {fut} for a two-day visit."],
        "at_risk": ["{A}'s planned visit to {C} is in doubt, {src} said.",
                    "The visit by {A} to {C} could be postponed, {src} warned."],
        "paused": ["{A}'s visit to {C} has been put on hold, {src} said."],
        "postponed": ["{A}'s visit to {C} has been postponed until {later}, {src} said.",
                      "The visit of {A} to {C} has been delayed."],
        "cancelled": ["{A}'s trip to {C} has been cancelled, {src} said.",
                      "{A} called off a visit to {C}, according to {src}."],
        "held": ["{A} arrived in {C} on {wd} for a two-day state visit.",
                 "{A} visited {C} this week, {src} said."],
    },
    "call": {
        "proposed": ["{A} has proposed a phone call with {B}, {src} said."],
        "planned": ["{A} and {B} are expected to speak by phone {fut}.",
                    "A phone call between {A} and {B} is scheduled for {fut}, {src} said."],
        "at_risk": ["The planned call between {A} and {B} may not go ahead, {src} said."],
        "paused": ["The phone call between {A} and {B} has been put on hold."],
        "postponed": ["A phone call between {A} and {B} has been postponed, {src} said."],
        "cancelled": ["The call between {A} and {B} was cancelled at the last minute."],
        "held": ["{A} and {B} spoke by phone on {wd}, their offices said.",
                 "{A} and {B} held a phone call today, {src} said."],
    },
    "talks": {
        "proposed": ["{A} has proposed trade talks with {B} in {C}, {src} said."],
        "planned": ["{A} and {B} will hold {topic} talks in {C} {fut}, {src} said.",
                    "{Topic} talks between {A} and {B} are scheduled to take place in {C} "
                    "{fut}."],
        "at_risk": ["{Topic} talks between {A} and {B} in {C} are in jeopardy, {src} said."],
        "paused": ["{Topic} talks between {A} and {B} have been put on hold, {src} said."],
        "postponed": ["The {topic} talks between {A} and {B} in {C} have been postponed."],
        "cancelled": ["The {topic} talks between {A} and {B} in {C} have been called off."],
        "held": ["{A} and {B} held {topic} talks in {C} today, {src} said."],
    },
    "launch": {
        "proposed": ["{O} has proposed a {N} launch from {C} {fut}, {src} said."],
        "planned": ["The {N} launch by {O} is scheduled for {fut} from {C}.",
                    "{O} said the {N} launch from {C} would take place {fut}."],
        "at_risk": ["The {N} launch from {C} could be delayed by a sensor fault, {O} said."],
        "paused": ["The {N} launch has been put on hold pending an investigation, {O} said."],
        "postponed": ["The {N} launch from {C} has been postponed by two days, {O} said.",
                      "The {N} launch was scrubbed because of high winds."],
        "cancelled": ["{O} has cancelled the {N} launch from {C}."],
        "held": ["{O} said the {N} launch lifted off successfully from {C} today."],
    },
    "event": {
        "proposed": ["Organisers have proposed holding the {N} in {C} {fut}."],
        "planned": ["The {N} will take place in {C} {fut}, organisers announced.",
                    "The {N} in {C} is due to open {fut}, organisers said."],
        "at_risk": ["The {N} in {C} is in doubt after a funding dispute, organisers said."],
        "paused": ["Preparations for the {N} in {C} have been suspended, organisers said."],
        "postponed": ["The {N} in {C} has been postponed until {later}, organisers said."],
        "cancelled": ["The {N} in {C} has been cancelled because of the storm, "
                      "organisers said."],
        "held": ["The {N} took place in {C} over the weekend, drawing large crowds."],
    },
}
KIND_WEIGHTS = {"meeting": 45, "visit": 15, "call": 12, "talks": 10, "launch": 8, "event": 10}

FILLER = [
    "The {adj} economy grew by {pct} percent in the last quarter, according to figures "
    "published by the statistics office.",
    "Inflation in {country} eased to {pct} percent in {month}, the central bank said, "
    "leaving room for a cut in interest rates.",
    "{Title} {person} told reporters that the government would present a new budget "
    "to parliament within weeks.",
    "Analysts at {org} said the outlook for exports remained uncertain because of "
    "weaker demand in Europe and Asia.",
    "Energy prices have risen sharply since the start of the year, putting pressure "
    "on households and small businesses.",
    "The opposition accused the government of ignoring the concerns of farmers in "
    "the north of the country.",
    "Thousands of people gathered in central {city} on {wd} to protest against rising "
    "living costs.",
    "\"We have made progress, but there is still a lot of work to do,\" {person2} said "
    "in an interview with a local newspaper.",
    "The two countries have a long history of cooperation on {topic}, and their "
    "trade has more than doubled over the past decade.",
    "Officials said the agenda would include {topic}, {topic2} and the situation in "
    "the region.",
    "Heavy rain caused flooding in several districts of {city}, and the authorities "
    "closed schools for two days.",
    "The ministry said it had received more than {num} applications for the new "
    "programme since it opened in {month}.",
    "A survey by {org} found that {pct} percent of respondents were worried about the "
    "cost of housing.",
    "{Title} {person} has been in office since {year}, when {pp} coalition won a narrow "
    "majority.",
    "The port of {city} handled a record {num} containers last year, the port "
    "authority said.",
    "Critics say the reforms do not go far enough, while business groups have "
    "welcomed them.",
    "Relations between the two governments cooled after a dispute over fishing rights "
    "and customs checks.",
    "The foreign ministry said it was following developments closely and urged all "
    "sides to show restraint.",
    "Security was tight in {city}, with police closing several roads near the "
    "government district.",
    "The project, which is expected to cost about {num} million euros, has been "
    "delayed by disputes over land.",
    "Shares in {org} rose {pct} percent after the company reported higher than "
    "expected profits.",
    "{Person3}, a professor of politics at the University of {city}, said the "
    "government was under pressure to show results.",
    "The railway line between {city} and {city2} is due to reopen after years of "
    "repairs.",
    "Unemployment fell to {pct} percent, its lowest level since {year}, the labour "
    "ministry said.",
    "Diplomats said the issue of {topic} was likely to dominate the discussions.",
    "The government has promised to cut red tape and attract foreign investment to "
    "the region.",
    "The central bank left its main rate unchanged at {pct} percent for a third "
    "consecutive month.",
    "Local media reported that the mayor of {city} had resigned over a procurement "
    "scandal.",
    "Farmers blocked roads near {city} with tractors, demanding lower fuel taxes.",
    "The agreement, signed in {year}, covers cooperation on {topic} and {topic2}.",
    "Tourism has recovered strongly, with visitor numbers in {city} up {pct} percent "
    "on the previous year.",
    "The health ministry said hospitals in the capital were operating at full capacity.",
    "Both governments have said they want to expand cooperation on {topic}.",
    "{Title} {person} said the country would not accept conditions imposed from "
    "outside.",
    "A court in {city} is expected to rule on the case later this year.",
    "The {adj} government has faced criticism over its handling of the crisis.",
    "The talks follow months of tension over {topic}, diplomats said.",
    "Parliament approved the measure by {num2} votes to {num3} after a long debate.",
]
CLOSERS = ["(Reporting by {person}; editing by {person2})",
           "Additional reporting by {person} in {city}.",
           "This article was updated with comment from the ministry."]


def _load(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Person:
    """A made-up public figure."""

    first: str
    last: str
    title: str
    pronoun: str  # "his" or "her"
    country: str

    @property
    def full(self) -> str:
        """Title and full name, as on first mention."""
        return f"{self.title} {self.first} {self.last}"


@dataclass
class Story:
    """A story the corpus follows: who, what, where, and the statuses it walks through."""

    number: int
    kind: str
    parties: list[Person]
    countries: list[str]
    city: str
    name: str | None
    organiser: str | None
    topic: str
    sequence: list[str]
    step: int = 0

    @property
    def done(self) -> bool:
        """Whether every step has been reported."""
        return self.step >= len(self.sequence)


@dataclass
class World:
    """Everything articles are written about, drawn once from the seed."""

    rng: random.Random
    people: list[Person]
    cum_weights: list[float]
    minor: list[Person]
    cities: list[str]
    countries: list[str]
    adjectives: list[str]
    orgs: list[str]
    made_up: list[str] = field(default_factory=list)


class _Names:
    """Unique made-up words from syllables."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def word(self, syllables: int, ending: str = "") -> str:
        while True:
            parts = [self.rng.choice(_ONSETS) + self.rng.choice(_VOWELS)
                     + self.rng.choice(_CODAS) for _ in range(syllables)]
            word = ("".join(parts) + ending).capitalize()
            if word not in self.used and 4 <= len(word) <= 12:
                self.used.add(word)
                return word


def build_world(seed: int, people: int) -> World:
    """Draw the cast and the places for a corpus."""
    rng = random.Random(seed)
    names = _Names(rng)
    countries_toml = _load(CONFIG / "watchlist" / "countries.toml")["entity"]
    countries = [c["name"] for c in countries_toml]
    adjectives = [a for c in countries_toml for a in c.get("adjectives", [])[:1]]
    cities = sorted({p["name"] for p in _load(CONFIG / "places.toml")["place"]
                     if p.get("kind", "city") == "city" and p["name"].isascii()
                     and "(" not in p["name"]})
    cast = []
    for _ in range(people):
        female = rng.random() < 0.4
        first = names.word(rng.choice((1, 2)), rng.choice(_ENDINGS_F if female else _ENDINGS_M))
        last = names.word(rng.choice((2, 2, 3)))
        cast.append(Person(first, last, rng.choice(TITLES), "her" if female else "his",
                           rng.choice(countries)))
    minor = []
    for _ in range(max(50, people // 4)):
        female = rng.random() < 0.5
        first = names.word(1, rng.choice(_ENDINGS_F if female else _ENDINGS_M))
        minor.append(Person(first, names.word(2), rng.choice(MINOR_TITLES),
                            "her" if female else "his", rng.choice(countries)))
    orgs = [f"{names.word(2)} {rng.choice(['Institute', 'Bank', 'Group', 'Foundation'])}"
            for _ in range(60)]
    # a few people are in the news far more than others
    weights = list(itertools.accumulate(1 / (rank + 1) ** 0.5 for rank in range(people)))
    world = World(rng, cast, weights, minor, cities, countries, adjectives, orgs)
    world.made_up = [names.word(2) for _ in range(max(200, people // 2))]
    return world


def new_story(world: World, number: int, target_steps: float) -> Story:
    """A story of a random kind whose sequence length is near `target_steps`."""
    rng = world.rng
    kinds = list(KIND_WEIGHTS)
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    parties = rng.choices(world.people, cum_weights=world.cum_weights, k=2)
    while parties[1] is parties[0]:
        parties[1] = rng.choice(world.people)
    countries = rng.sample(world.countries, 2)
    name = organiser = None
    if kind == "launch":
        name = f"{rng.choice(world.made_up)}-{rng.randint(1, 9)}"
        organiser = f"{rng.choice(world.made_up)} {rng.choice(ORG_HEADS)}"
    elif kind == "event":
        name = f"{rng.choice(world.made_up)} {rng.choice(FESTIVAL_HEADS)}"
    near = sorted(SEQUENCES, key=lambda s: (abs(len(s) - target_steps), rng.random()))
    sequence = list(rng.choice(near[:3]))
    return Story(number, kind, parties, countries, rng.choice(world.cities), name, organiser,
                 rng.choice(TOPICS), sequence)


class _Slots(dict):
    """Template slots drawn lazily, in the order the template names them."""

    def __init__(self, world: World, values: dict[str, str]) -> None:
        super().__init__(values)
        self.world = world

    def __missing__(self, key: str) -> str:
        rng, world = self.world.rng, self.world
        if key in ("Title", "person", "person2", "Person3", "pp"):
            person = rng.choice(world.minor)
            if key == "Title":  # "{Title} {person} ... {pp}": one official
                self["person"] = f"{person.first} {person.last}"
                self["pp"] = person.pronoun
                value = person.title[:1].upper() + person.title[1:]
            else:
                value = person.pronoun if key == "pp" else f"{person.first} {person.last}"
        else:
            value = {
                "adj": lambda: rng.choice(world.adjectives),
                "country": lambda: rng.choice(world.countries),
                "pct": lambda: f"{rng.uniform(0.5, 9.5):.1f}",
                "month": lambda: rng.choice(MONTHS),
                "org": lambda: rng.choice(world.orgs),
                "city": lambda: rng.choice(world.cities),
                "city2": lambda: rng.choice(world.cities),
                "wd": lambda: rng.choice(WEEKDAYS),
                "num": lambda: f"{rng.randint(2, 900) * 10:,}",
                "num2": lambda: str(rng.randint(150, 300)),
                "num3": lambda: str(rng.randint(20, 149)),
                "year": lambda: str(rng.randint(1998, 2023)),
                "topic": lambda: rng.choice(TOPICS),
                "topic2": lambda: rng.choice(TOPICS),
                "src": lambda: rng.choice(SOURCES),
                "Src": lambda: (lambda s: s[:1].upper() + s[1:])(rng.choice(SOURCES)),
                "fut": lambda: rng.choice(FUTURE),
                "later": lambda: rng.choice(LATER),
            }[key]()
        self[key] = value
        return value


def _fill(template: str, world: World, values: dict[str, str]) -> str:
    return template.format_map(_Slots(world, values))


def story_sentence(world: World, story: Story, status: str, first: bool) -> str:
    """One sentence reporting `status` for `story`; `first` introduces people in full."""
    a, b = story.parties
    values = {"A": a.full if first else a.last, "B": b.full if first else b.last,
              "pa": "she" if a.pronoun == "her" else "he", "C": story.city,
              "N": story.name or "", "O": story.organiser or "", "topic": story.topic,
              "Topic": story.topic.capitalize()}
    if story.kind == "talks":
        values["A"], values["B"] = story.countries
    template = world.rng.choice(PHRASES[story.kind][status])
    return _fill(template, world, values)


def _paragraph(world: World, sentences: int) -> str:
    return " ".join(_fill(world.rng.choice(FILLER), world, {}) for _ in range(sentences))


def write_article(world: World, lead: Story, status: str, second: tuple[Story, str] | None,
                  words: int) -> str:
    """The text of one article of about `words` words."""
    rng = world.rng
    paragraphs = [story_sentence(world, lead, status, True) + " "
                  + _paragraph(world, 1)]
    if lead.step > 1 and rng.random() < 0.3:
        earlier = lead.sequence[lead.step - 2]
        paragraphs.append(story_sentence(world, lead, earlier, False).rstrip(".")
                          .replace(" will ", " had been expected to ", 1) + " last week.")
    body_words = sum(len(p.split()) for p in paragraphs)
    second_at = rng.randint(2, 6)
    while body_words < words - 40:
        if second and len(paragraphs) == second_at:
            text = story_sentence(world, second[0], second[1], True) + " " + _paragraph(world, 1)
            second = None
        else:
            text = _paragraph(world, rng.randint(2, 4))
        paragraphs.append(text)
        body_words += len(text.split())
    paragraphs.append(_fill(rng.choice(CLOSERS), world, {}))
    return "\n\n".join(paragraphs)


@dataclass
class CorpusInfo:
    """What was written: files, stories started, and the span of publication dates."""

    files: list[Path]
    stories: int
    first: date
    last: date
    duplicates: int


def plan(seed: int, articles: int, stories: int, *, start: date = date(2025, 1, 6),
         per_day: int = 250, words: int = 700, json_share: float = 0.03,
         md_share: float = 0.02, duplicate_share: float = 0.005,
         people: int | None = None) -> Iterator[tuple[str, bytes, date]]:
    """Yield (file name, bytes, publication date) for each article, in publication order.

    Each article leads with the next status of one running story (so most articles
    change a status); about 30% also report another story's current status.
    `stories` is how many stories are started over the corpus (at least 1).
    """
    stories = max(1, stories)
    world = build_world(seed, people or max(300, stories // 2))
    rng = world.rng
    target = max(2.0, articles / stories)
    running: list[Story] = []
    started = 0
    recent: list[tuple[bytes, str]] = []
    for i in range(articles):
        published = start + timedelta(days=i // per_day)
        # start stories at the pace that spreads them over the corpus
        due = min(stories, (i + 1) * stories // articles + 1)
        while started < due or not running:
            running.append(new_story(world, started, target))
            started += 1
        lead = rng.choice(running[-200:])
        status = lead.sequence[lead.step]
        lead.step += 1
        second = None
        others = [s for s in running[-200:] if s is not lead and s.step > 0]
        if others and rng.random() < 0.3:
            other = rng.choice(others)
            second = (other, other.sequence[other.step - 1])
        if lead.done:
            running.remove(lead)
        text = write_article(world, lead, status, second, words)
        roll = rng.random()
        suffix = ".json" if roll < json_share else ".md" if roll < json_share + md_share \
            else ".txt"
        if suffix == ".json":
            data = json.dumps({"title": f"Report {i}", "published": published.isoformat(),
                               "url": f"https://news.invalid/{i}", "text": text},
                              ensure_ascii=False).encode()
        else:
            data = f" date {published.isoformat()} {text}\n".encode()
        if recent and rng.random() < duplicate_share:
            data, suffix = rng.choice(recent)  # the same bytes again, under another name
        recent = (recent + [(data, suffix)])[-20:]
        digest = hashlib.sha256(data).hexdigest()[:12]
        yield f"{i:06d}_{digest}{suffix}", data, published
    return None


def generate(out: Path, seed: int, articles: int, stories: int, **options: object) -> CorpusInfo:
    """Write a corpus into `out` (created; existing files of the same names are replaced)."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    first = last = None
    seen: set[bytes] = set()
    duplicates = 0
    for name, data, published in plan(seed, articles, stories, **options):  # type: ignore[arg-type]
        path = out / name
        path.write_bytes(data)
        files.append(path)
        digest = hashlib.sha256(data).digest()
        duplicates += digest in seen
        seen.add(digest)
        first = first or published
        last = published
    return CorpusInfo(files, stories, first or date.today(), last or date.today(), duplicates)


def main(argv: list[str] | None = None) -> None:
    """Command line: write a corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--stories", type=int, default=None,
                        help="stories started over the corpus (default: articles / 5)")
    parser.add_argument("--words", type=int, default=700)
    parser.add_argument("--per-day", type=int, default=250, help="articles per publication day")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    info = generate(args.out, args.seed, args.articles, args.stories or args.articles // 5,
                    words=args.words, per_day=args.per_day)
    print(f"{len(info.files)} articles ({info.duplicates} duplicate contents), "
          f"{info.stories} stories, {info.first} to {info.last}, in {args.out}")


if __name__ == "__main__":
    main()
