"""Sentence splitting, from tests/data/sentence_cases.jsonl: adding a case is adding a line.

Each case gives an article's text and the sentences a reader would see in it:
headlines run into the body are split off, abbreviations and titles are not
sentence ends; "captions" says which belong to a photo caption.
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
    sentences = split_sentences(case["text"])
    assert [s.text for s in sentences] == case["sentences"]
    if "captions" in case:  # which sentences belong to a photo caption
        assert [s.caption for s in sentences] == case["captions"]
