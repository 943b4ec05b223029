"""A real `monitor run` in a subprocess, a config of its own, and a stand-in for systemd."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, wait_for  # noqa: F401 - callers import it from here

CONFIG_DIR = ROOT / "config"


def require_tool(name: str) -> str:
    """The tool's path; without it fail under CI (.ci/run installs it), else skip visibly."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (.ci/run installs it: apt-get install systemd logrotate)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value))


def write_config(path: Path, **values: Any) -> Path:
    """A monitor.toml at `path` with short intervals and the project's lexicons."""
    settings: dict[str, Any] = {
        "watch_dir": path.parent / "in", "state_dir": path.parent / "state",
        "watchlist": [CONFIG_DIR / "watchlist"], "places": CONFIG_DIR / "places.toml",
        "lexicon_dir": CONFIG_DIR / "lexicon", "settle_seconds": 0.2,
        "reconcile_seconds": 0.5, "heartbeat_seconds": 0.2, "log_format": "json"}
    settings.update(values)
    path.write_text("".join(f"{key} = {_toml(value)}\n" for key, value in settings.items()))
    return path


class DaemonProcess:
    """`python -m monitor run --config CONFIG`, its stderr kept in a file."""

    def __init__(self, config: Path, *, env: dict[str, str] | None = None,
                 prefix: Sequence[str] = (), umask: int = -1) -> None:
        self.config = config
        self.env = {**os.environ, **(env or {})}
        self.prefix = list(prefix)
        self.umask = umask
        self.log_path = config.parent / "daemon.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> DaemonProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.prefix, sys.executable, "-m", "monitor", "run", "--config",
                 str(self.config)], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                stderr=log, umask=self.umask)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM and wait; the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def running(self, state: Path) -> bool:
        """Whether this process says, in state/status.json, that it is up and watching."""
        try:
            status = json.loads((state / "status.json").read_text())
        except (OSError, ValueError):
            return False
        return status["pid"] == self.pid and status["state"] == "running"

    def logs(self) -> list[dict[str, Any]]:
        """The daemon's log events so far (JSON lines)."""
        events = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                events.append({"event": "(not JSON)", "line": line})
        return events

    def events(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.logs() if e.get("event") == name]


class NotifyListener:
    """Plays systemd's side of sd_notify: a datagram socket recording each message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.05)
        self.messages: list[tuple[float, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if line)
            with self._lock:
                self.messages.append((time.monotonic(), fields))

    def received(self, key: str, since: float = 0.0) -> list[tuple[float, dict[str, str]]]:
        """Messages carrying `key`, received after monotonic time `since`."""
        with self._lock:
            return [(t, m) for t, m in self.messages if key in m and t >= since]

    def wait(self, key: str, since: float = 0.0, timeout: float = 20.0) -> tuple[float, dict]:
        found = wait_for(lambda: self.received(key, since), timeout=timeout, step=0.01)
        assert found, f"no {key} from the daemon within {timeout} s"
        return found[0]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def monitor_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m monitor ARGS --config CONFIG`, finished."""
    return subprocess.run([sys.executable, "-m", "monitor", *args, "--config", str(config)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def alert_lines(state: Path, name: str = "alerts.jsonl") -> list[dict[str, Any]]:
    """The alerts in the state's alert log; every line must be one JSON object."""
    path = state / name
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "the alert log ends in a partial line"
    return [json.loads(line) for line in text.split("\n")[:-1]]
