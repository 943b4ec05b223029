"""Checks a state directory against an expected.json in the seeds-expected format."""

from __future__ import annotations

import re
from typing import Any


def _words(name: str) -> set[str]:
    return set(re.findall(r"\w+", name.lower()))


def _matches_participants(story: dict[str, Any], expected: list[str]) -> bool:
    """The same number of parties, each expected name carried by a different one
    ("Seo" by "Seo Min-jun", "Arakawa" by "Keiko Arakawa")."""
    got = list(story["participants"])
    if len(got) != len(expected):
        return False
    for want in sorted(expected, key=lambda e: -len(_words(e))):
        match = next((g for g in got if _words(want) <= _words(g)), None)
        if match is None:
            return False
        got.remove(match)
    return True


def _matches_location(story: dict[str, Any], expected: str | None) -> bool:
    if expected is None:
        return story["location"] is None
    options = [o.strip().lower() for o in expected.split("|")]
    return (story["location"] or "").lower() in options


def _contains_in_order(sequence: list[str], wanted: list[str]) -> bool:
    it = iter(sequence)
    return all(any(s == w for s in it) for w in wanted)


def status_sequence(story_id: str, alerts: list[dict[str, Any]]) -> list[str]:
    """The 'from' of a story's first alert, then the 'to' of each alert."""
    mine = [a for a in alerts if a["story"]["id"] == story_id]
    if not mine:
        return []
    head = [mine[0]["from"]] if mine[0]["from"] else []
    return head + [a["to"] for a in mine]


def check(expected: dict[str, Any], stories: list[dict[str, Any]],
          alerts: list[dict[str, Any]]) -> list[str]:
    """Every way the stories and alerts fall short of `expected`; empty when all is well."""
    problems = []
    for want in expected["stories"]:
        candidates = [s for s in stories
                      if s["kind"] == want["kind"]
                      and (_matches_participants(s, want["participants"]) or (
                          want.get("name") and s.get("name")
                          and re.sub(r"\W", "", want["name"].lower())
                          in re.sub(r"\W", "", s["name"].lower())))
                      and _matches_location(s, want.get("location"))]
        label = f"{'+'.join(want['participants'])} {want['kind']} @{want.get('location')}"
        if not candidates:
            problems.append(f"missing story: {label}")
            continue
        good = [s for s in candidates if s["status"] == want["final"]
                and _contains_in_order(status_sequence(s["id"], alerts), want["sequence"])]
        if not good:
            got = [(s["status"], status_sequence(s["id"], alerts)) for s in candidates]
            problems.append(f"wrong status for {label}: want final {want['final']} "
                            f"sequence {want['sequence']}, got {got}")
    ids = [a["id"] for a in alerts]
    if len(ids) != len(set(ids)):
        problems.append("two alerts share an id")
    return problems
