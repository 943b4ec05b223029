"""Crash safety: SIGKILL at random moments loses and duplicates nothing.

300 articles (60 meetings going through varied statuses, repeats that change
nothing, and copies of earlier articles under new names) arrive in bursts
while the daemon is killed and restarted at least 10 times. The end state must
equal a clean `monitor scan` of the same files.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.daemon_process import DaemonProcess, alert_lines, monitor_cli, wait_for, write_config
from tests.writer import status_article

pytestmark = pytest.mark.slow

PAIRS = 60
PER_PAIR = 5  # 4 articles of its own and one copy of an earlier one (same bytes, new name)
KILLS = 12
STEPS = ["proposed", "planned", "at_risk", "paused", "postponed", "cancelled", "planned"]


def corpus(rng: random.Random) -> list[tuple[str, str]]:
    """(file name, text) in arrival order: publication order, copies a little late."""
    dated: list[tuple[str, str]] = []
    for pair in range(PAIRS):
        status = rng.choice(["proposed", "planned"])
        for k in range(PER_PAIR - 1):
            day = f"2025-03-{10 + 3 * k + pair % 3:02d}"
            if k and rng.random() < 0.25:  # the same status again: no alert
                text = status_article(pair, status, day, source="a spokesperson said")
            else:
                status = rng.choice([s for s in STEPS if s != status]) if k else status
                text = status_article(pair, status, day)
            dated.append((f"{day}-p{pair:02d}-k{k}.txt", text))
    dated.sort()
    arrivals = list(dated)
    for pair in range(PAIRS):
        original = rng.choice([item for item in dated if f"-p{pair:02d}-" in item[0]])
        position = arrivals.index(original) + rng.randint(1, 20)
        arrivals.insert(position, (original[0].replace(".txt", "-copy.txt"), original[1]))
    assert len(arrivals) == PAIRS * PER_PAIR == 300
    return arrivals


def feed(folder: Path, files: list[tuple[str, str]], rng: random.Random,
         done: threading.Event) -> None:
    """Bursts of 1-20 files, written in place or renamed in from a hidden temp name."""
    i = 0
    while i < len(files):
        burst = files[i:i + rng.randint(1, 20)]
        for name, text in burst:
            if rng.random() < 0.5:
                (folder / name).write_text(text)
            else:
                (folder / f".{name}.tmp").write_text(text)
                os.replace(folder / f".{name}.tmp", folder / name)
        i += len(burst)
        time.sleep(rng.uniform(0.05, 0.5))
    done.set()


def handled(state: Path) -> int:
    """Files the daemon has committed (processed or duplicate)."""
    try:
        with sqlite3.connect(f"file:{state / 'monitor.db'}?mode=ro", uri=True) as db:
            return db.execute("select count(*) from files where outcome in "
                              "('processed', 'duplicate')").fetchone()[0]
    except sqlite3.Error:
        return 0


def stories(config: Path) -> list[dict]:
    rows = json.loads(monitor_cli(config, "stories", "--json").stdout)
    return sorted((r["id"], r["title"], r["status"], r["since"], r["participants"],
                   r["location"], r["kind"]) for r in rows)


def alerts(config: Path) -> list[tuple]:
    rows = json.loads(monitor_cli(config, "alerts", "--json").stdout)
    return [(a["id"], a["story"]["id"], a["from"], a["to"], a["effective"]) for a in rows]


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    files = corpus(rng)
    watch, state = tmp_path / "in", tmp_path / "state"
    watch.mkdir()
    config = write_config(tmp_path / "monitor.toml", settle_seconds=0.1, heartbeat_seconds=0.5)

    fed = threading.Event()
    feeder = threading.Thread(target=feed, args=(watch, files, random.Random(seed + 1), fed))
    feeder.start()
    daemon = DaemonProcess(config)
    kills = 0
    try:
        while kills < KILLS or not fed.is_set():
            daemon.start()
            time.sleep(rng.uniform(0.3, 1.3))
            assert daemon.proc is not None and daemon.proc.poll() is None, \
                f"seed {seed}: the daemon exited by itself: {daemon.log_path.read_text()[-3000:]}"
            daemon.proc.send_signal(signal.SIGKILL)
            daemon.proc.wait()
            kills += 1
        feeder.join()
        daemon.start()
        assert wait_for(lambda: daemon.running(state)), f"seed {seed}: did not start"
        assert wait_for(lambda: handled(state) == len(files), timeout=60), \
            f"seed {seed}: {handled(state)} of {len(files)} files handled"
        assert daemon.stop() == 0
    finally:
        daemon.kill()
        feeder.join()

    clean = write_config(tmp_path / "clean.toml", state_dir=tmp_path / "clean")
    assert monitor_cli(clean, "scan", str(watch)).returncode == 0

    assert kills >= 10
    assert monitor_cli(config, "rejected", "--json").stdout.strip() == "[]"
    assert stories(config) == stories(clean), f"seed {seed}"
    expected = alerts(clean)
    assert len(expected) > 150  # statuses really changed, many times
    assert sorted(alerts(config)) == sorted(expected), f"seed {seed}"
    logged = [a["id"] for a in alert_lines(state)]
    assert len(logged) == len(set(logged)), f"seed {seed}: an alert was logged twice"
    assert sorted(logged) == sorted(a[0] for a in expected), f"seed {seed}: alerts missing"
