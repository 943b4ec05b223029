"""Sequence cases under tests/data/sequences: articles over time, with expected stories.

Each case folder holds articles and an expected.json in the seeds-expected
format. Cases the monitor still gets wrong are listed with the reason in
tests/data/sequence_known_misses.txt and run as strict xfails.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, cli_json, run_cli
from tests.expectations import check

SEQUENCES = ROOT / "tests" / "data" / "sequences"
CASES = sorted(p for p in SEQUENCES.iterdir() if (p / "expected.json").exists()) \
    if SEQUENCES.exists() else []
MISSES_FILE = ROOT / "tests" / "data" / "sequence_known_misses.txt"
KNOWN_MISSES = {line.split("#")[0].strip() for line in MISSES_FILE.read_text().splitlines()
                if line.split("#")[0].strip()} if MISSES_FILE.exists() else set()


def _params() -> list:
    return [pytest.param(case, id=case.name, marks=[pytest.mark.xfail(
        strict=True, reason="listed in sequence_known_misses.txt")]
        if case.name in KNOWN_MISSES else []) for case in CASES]


@pytest.mark.parametrize("case", _params())
def test_sequence_case(case: Path, tmp_path: Path) -> None:
    folder = tmp_path / case.name
    shutil.copytree(case, folder, ignore=shutil.ignore_patterns("expected.json"))
    state = tmp_path / "state"
    run_cli("scan", str(folder), state_dir=state)
    problems = check(json.loads((case / "expected.json").read_text()),
                     cli_json("stories", state_dir=state), cli_json("alerts", state_dir=state))
    assert problems == []


def test_rescanning_a_case_emits_nothing(tmp_path: Path) -> None:
    if not CASES:
        pytest.skip("no sequence cases")
    folder = tmp_path / "case"
    shutil.copytree(CASES[0], folder, ignore=shutil.ignore_patterns("expected.json"))
    state = tmp_path / "state"
    run_cli("scan", str(folder), state_dir=state)
    again = run_cli("scan", str(folder), state_dir=state)
    assert again.stdout == "" and "0 alerts" in again.stderr
