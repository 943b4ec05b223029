"""Shared fixtures: the real CLI in a subprocess, on temporary state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """A fresh, empty state directory."""
    return tmp_path / "state"
