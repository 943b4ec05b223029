"""Extraction's shortcuts give what the full work gives, on every sentence of the corpus.

A sentence with no event word and no name skips entity finding
(`EntityFinder.names_nothing`); these tests run the full entity finder on the
same sentences, with the article's memory as it stands there, and check it
finds nothing and changes the memory only as `found_nothing` does. Phrase
matches cached on a sentence's tokens are checked against matching afresh.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from monitor.articles import read_article
from monitor.extract import ClaimExtractor, load_lexicon
from monitor.extract.claims import strip_asides
from monitor.extract.entities import ArticleMemory
from monitor.extract.lexicon import tokenize
from monitor.extract.sentences import split_sentences
from tests.conftest import ROOT

ARTICLES = sorted(p for folder in (ROOT / "tests" / "corpus", ROOT / "seeds")
                  for p in folder.rglob("*") if p.suffix in (".txt", ".md"))


@pytest.fixture(scope="module")
def extractor() -> ClaimExtractor:
    config = ROOT / "config"
    return ClaimExtractor(load_lexicon([config / "watchlist"], config / "places.toml",
                                       config / "lexicon"))


# sentences the corpus lacks: a title alone names the person the article gave it
TEXTS = ["Pope Francis will visit Kinshasa next month, the Vatican said. He said the pope's "
         "health was good. It was said the pope would rest. The trip is planned."]


def _sentences(path: Path | str) -> list[str]:
    if isinstance(path, str):
        return [s.text for s in split_sentences(path)]
    return [s.text for s in split_sentences(read_article(path, max_bytes=2_000_000,
                                                     today=date(9000, 1, 1)).text)]


def test_a_sentence_that_names_nothing_gives_the_entity_finder_nothing(
        extractor: ClaimExtractor) -> None:
    assert ARTICLES
    skipped = 0
    for path in [*ARTICLES, *TEXTS]:
        memory = ArticleMemory()
        for text in _sentences(path):
            tokens = tokenize(strip_asides(text))
            if not tokens:
                continue
            if extractor.entities.names_nothing(tokens):
                skipped += 1
                expected = copy.deepcopy(memory)
                extractor.entities.found_nothing(expected)
                assert extractor.entities.find(tokens, memory) == [], text
                assert memory == expected, text
            else:
                extractor.entities.find(tokens, memory)
    assert skipped > 50  # the shortcut is taken, not only allowed


def test_cached_phrase_matches_are_those_found_afresh(extractor: ClaimExtractor) -> None:
    lex = extractor.lex
    matchers = [lex.entities, lex.adjectives, lex.places, lex.events, lex.not_events, lex.cues,
                lex.titles, lex.future_markers, lex.object_verbs]
    for path in ARTICLES[:40]:
        for text in _sentences(path):
            tokens = tokenize(text)
            for matcher in matchers:
                cached = matcher.find(tokens)
                assert matcher.find(tokens) is cached
                assert matcher.find(list(tokens)) == cached, text
