"""The real daemon in a subprocess on a temporary folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CONFIG, ROOT, wait_for
from tests.writer import name, planned_article

pytestmark = pytest.mark.slow


def _alert_lines(state: Path) -> list[dict]:
    path = state / "alerts.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def daemon(tmp_path: Path):  # noqa: ANN201
    watch, state = tmp_path / "in", tmp_path / "state"
    watch.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--config", str(CONFIG),
         "--watch-dir", str(watch), "--state-dir", str(state)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: (state / "monitor.lock").exists()), "daemon did not start"
    time.sleep(0.5)
    yield proc, watch, state
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _participants(alert: dict) -> set[str]:
    return {p.split()[-1] for p in alert["story"]["participants"]}


def test_plain_write_rename_and_burst_each_alert_then_sigterm_exits_0(daemon) -> None:  # noqa: ANN001
    proc, watch, state = daemon
    (watch / "plain.txt").write_text(planned_article(1))
    assert wait_for(lambda: len(_alert_lines(state)) == 1)
    staged = watch / ".incoming.tmp"
    staged.write_text(planned_article(2))
    os.replace(staged, watch / "renamed.txt")
    assert wait_for(lambda: len(_alert_lines(state)) == 2)
    for i in range(3, 203):
        (watch / f"burst-{i:03}.txt").write_text(planned_article(i))
    assert wait_for(lambda: len(_alert_lines(state)) == 202, timeout=60)
    alerts = _alert_lines(state)
    assert [a["to"] for a in alerts] == ["planned"] * 202
    assert {frozenset(_participants(a)) for a in alerts} == {
        frozenset({name(i, 1), name(i, 2)}) for i in range(1, 203)}
    assert len({a["id"] for a in alerts}) == 202
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert (state / "alerts.jsonl").read_text().endswith("\n")


def test_second_daemon_on_same_state_is_refused(daemon, tmp_path: Path) -> None:  # noqa: ANN001
    _, watch, state = daemon
    second = subprocess.run(
        [sys.executable, "-m", "monitor", "run", "--config", str(CONFIG),
         "--watch-dir", str(watch), "--state-dir", str(state)],
        cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert second.returncode == 2
    assert "another monitor (pid " in second.stderr
