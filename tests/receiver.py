"""A real webhook receiver on 127.0.0.1 for the tests, and helpers to configure the monitor.

The receiver verifies every request with the `standardwebhooks` package, as a
user's receiver would, and can be switched between answering, failing and
hanging while the monitor keeps sending.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook

from tests.conftest import ROOT, wait_for  # noqa: F401 - callers import it from here

CONFIG_DIR = ROOT / "config"


def new_secret() -> str:
    """A fresh whsec_ secret."""
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Request:
    """One request the receiver saw."""

    at: float
    mode: str
    webhook_id: str | None
    timestamp: str | None
    client: tuple[str, int]
    alert: dict[str, Any] | None = None


@dataclass
class Receiver:
    """An HTTP server in a thread. `mode` is "ok", an HTTP status code, or "hang"."""

    secret: str
    port: int = field(default_factory=free_port)
    mode: str | int = "ok"
    hang_seconds: float = 3.0
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The URL to configure."""
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        """Listen (again) on the receiver's port."""
        receiver = self
        verifier = Webhook(self.secret)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be seen

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["content-length"]))
                mode = receiver.mode
                request = Request(time.time(), str(mode), self.headers.get("webhook-id"),
                                  self.headers.get("webhook-timestamp"), self.client_address)
                receiver.requests.append(request)
                if mode == "hang":
                    time.sleep(receiver.hang_seconds)
                    self.close_connection = True
                    return
                if mode != "ok":
                    self._answer(int(mode), receiver.headers)
                    return
                try:
                    payload = verifier.verify(body, dict(self.headers))
                except Exception:  # noqa: BLE001 - any failure to verify is a 400
                    receiver.bad_signatures += 1
                    self._answer(400)
                    return
                request.alert = payload["data"]
                receiver.accepted.append(payload["data"])
                self._answer(204)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening (connections refused from now on)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def accepted_ids(self) -> list[str]:
        """The alert ids answered 2xx, in arrival order."""
        return [a["id"] for a in self.accepted]


def write_config(folder: Path, hooks: list[dict[str, Any]], **settings: Any) -> Path:
    """A monitor.toml using the project's lexicon, with these [[webhooks]] entries."""
    lines = [f'watchlist = ["{CONFIG_DIR / "watchlist"}"]',
             f'places = "{CONFIG_DIR / "places.toml"}"',
             f'lexicon_dir = "{CONFIG_DIR / "lexicon"}"', 'log_format = "json"',
             "settle_seconds = 0.1"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    for hook in hooks:
        lines.append("\n[[webhooks]]")
        for key, value in hook.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "monitor.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def monitor(config: Path, *args: str, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `python -m monitor ARGS --config CONFIG` to completion."""
    done = subprocess.run([sys.executable, "-m", "monitor", *args, "--config", str(config)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, **(env or {})})
    if check and done.returncode != 0:
        raise AssertionError(f"monitor {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done


def start_daemon(config: Path, state: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """`monitor run` in a subprocess; returns once it holds the state lock."""
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})
    assert wait_for(lambda: (state / "monitor.lock").exists() or proc.poll() is not None)
    assert proc.poll() is None, proc.communicate()[1]
    return proc


def stop_daemon(proc: subprocess.Popen[str]) -> str:
    """SIGTERM the daemon; returns its stderr after it exited 0."""
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return err
