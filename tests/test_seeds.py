"""`monitor scan seeds/` concludes exactly what seeds-expected.json says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import ROOT, cli_json, run_cli
from tests.expectations import check

EXPECTED = json.loads((ROOT / "tests" / "data" / "seeds-expected.json").read_text())


def test_scan_of_seeds_gives_the_expected_stories(tmp_path: Path, state_dir: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)  # fresh mtimes: undated seeds are the newest
    run_cli("scan", str(seeds), state_dir=state_dir)
    stories = cli_json("stories", state_dir=state_dir)
    alerts = cli_json("alerts", state_dir=state_dir)
    assert check(EXPECTED, stories, alerts) == []
    lines = (state_dir / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [a["id"] for a in alerts]


def test_second_scan_emits_nothing(tmp_path: Path, state_dir: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    run_cli("scan", str(seeds), state_dir=state_dir)
    before = (state_dir / "alerts.jsonl").read_text()
    again = run_cli("scan", str(seeds), state_dir=state_dir)
    assert again.stdout == ""
    assert "0 alerts" in again.stderr
    assert (state_dir / "alerts.jsonl").read_text() == before


def test_same_content_under_another_name_emits_nothing(tmp_path: Path, state_dir: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    run_cli("scan", str(seeds), state_dir=state_dir)
    copy = tmp_path / "copy.txt"
    shutil.copy(seeds / "000_07ce318eb1e8a8e9.txt", copy)
    again = run_cli("scan", str(copy), state_dir=state_dir)
    assert "1 duplicates" in again.stderr and "0 alerts" in again.stderr
