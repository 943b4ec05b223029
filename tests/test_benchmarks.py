"""The benchmarks run end to end at a tiny size and print every figure (targets not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

FIGURES = [
    "monitor scan (articles/s, wall)", "floor: read+hash+split (articles/s)", "scan / floor",
    "close -> alert line p50 (ms)", "close -> alert line p99 (ms)", "RSS after catch-up (MB)",
    "soak RSS growth", "ms per article with 50 stories", "ms per article with 200 stories",
    "largest / smallest cost per article", "monitor stories on a terminal (ms)",
    "monitor stories piped, every story (ms)",
]


@pytest.mark.slow
def test_smoke_run_prints_every_figure(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--smoke", "--work",
                           str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    assert table.startswith("machine: ")
    for figure in FIGURES:
        line = next((row for row in table.splitlines() if figure in row), None)
        assert line is not None, f"missing {figure!r} in:\n{table}"
        assert " - " not in line.split(figure, 1)[1][:12], f"no value for {figure!r}: {line}"


def test_generator_is_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate import generate

    first = generate(tmp_path / "a", seed=3, articles=12, stories=4)
    second = generate(tmp_path / "b", seed=3, articles=12, stories=4)
    assert [p.name for p in first.files] == [p.name for p in second.files]
    assert all(a.read_bytes() == b.read_bytes()
               for a, b in zip(first.files, second.files, strict=True))
    words = [len(p.read_text().split()) for p in first.files if p.suffix != ".json"]
    assert min(words) > 500
