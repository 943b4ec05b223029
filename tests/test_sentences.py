"""Sentence splitting, from tests/data/sentence_cases.jsonl: adding a case is adding a line.

Each case gives an article's text and the sentences a reader would see in it:
headlines run into the body are split off, abbreviations and titles are not
sentence ends.
"""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from monitor.extract.sentences import split_sentences

CASES = [json.loads(line) for line in
         (ROOT / "tests" / "data" / "sentence_cases.jsonl").read_text().splitlines()
         if line.strip()]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_sentence_case(case: dict) -> None:
    assert [s.text for s in split_sentences(case["text"])] == case["sentences"]
