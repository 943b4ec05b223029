"""Shared fixtures: the real CLI in a subprocess, on temporary state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "monitor.toml"


def run_cli(*args: str, state_dir: Path | None = None, check: bool = True,
            env: dict[str, str] | None = None,
            config: Path = CONFIG) -> subprocess.CompletedProcess[str]:
    """Run `python -m monitor` with the project config; returns the finished process."""
    cmd = [sys.executable, "-m", "monitor", *args, "--config", str(config)]
    if state_dir is not None:
        cmd += ["--state-dir", str(state_dir)]
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=full_env,
                          timeout=120)
    if check and done.returncode != 0:
        raise AssertionError(f"{cmd} exited {done.returncode}:\n{done.stderr}")
    return done


def cli_json(*args: str, state_dir: Path) -> list:
    """Run a command with --json and parse its output."""
    return json.loads(run_cli(*args, "--json", state_dir=state_dir).stdout)


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, step: float = 0.05) -> Any:
    """Poll until predicate() is truthy or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(step)
    return predicate()


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """A fresh, empty state directory."""
    return tmp_path / "state"
