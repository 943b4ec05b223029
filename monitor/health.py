"""Health: the daemon's status record, and the checks behind `monitor health`.

The running daemon rewrites `status.json` in the state directory (owner-only)
every `heartbeat_seconds`: its pid, state, start time, last heartbeat, when it
last finished a folder scan and processed an article, and any problem it sees
in its own threads. `monitor health` reads the record and answers healthy
(exit 0) or not (exit 1), with a reason.

Adding a check (as `check_deliveries` does for webhooks): append a function to
CHECKS. It gets a HealthInput (settings, the status record, the time now) and
returns a problem sentence or None; it may read the record's `extra` mapping,
which the daemon fills from its status providers (Daemon.add_status_provider),
or open the state database itself, read-only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.errors import StateError
from monitor.settings import Settings

STATUS_FILE = "status.json"
MISSED_HEARTBEATS = 3  # a record older than this many heartbeats (+1 s) is stale
MISSED_SCANS = 3  # no folder scan (and no article) for this many reconcile intervals


def iso(ts: float | None) -> str | None:
    """Unix seconds as an ISO-8601 UTC string with milliseconds and a Z."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def unix(value: str | None) -> float | None:
    """The inverse of iso()."""
    return datetime.fromisoformat(value).timestamp() if value else None


@dataclass
class ServiceStatus:
    """What the daemon says about itself; times are ISO-8601 UTC strings."""

    pid: int
    state: str  # starting, running, stopped (cleanly), failed (an error ended it)
    started_at: str
    heartbeat_at: str
    heartbeat_seconds: float
    reconcile_seconds: float
    last_scan_at: str | None = None
    last_article_at: str | None = None
    articles: int = 0
    alerts: int = 0
    rejected: int = 0
    reloaded_at: str | None = None
    problems: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, state_dir: Path) -> ServiceStatus | None:
        """The record in `state_dir`, None if there is none; StateError if unreadable."""
        path = state_dir / STATUS_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            known = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in raw.items() if k in known})
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            raise StateError(f"{path}: cannot read the daemon's status: {exc}") from exc

    def write(self, state_dir: Path) -> None:
        """Replace the record atomically; the file is readable by its owner only."""
        path = state_dir / STATUS_FILE
        tmp = path.with_name(f".{STATUS_FILE}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(self), f, ensure_ascii=True, indent=1)
            f.write("\n")
        os.replace(tmp, path)


class StatusWriter:
    """Keeps the daemon's record; every update rewrites the file (thread-safe)."""

    def __init__(self, state_dir: Path, status: ServiceStatus,
                 wall: Callable[[], float]) -> None:
        """Hold `status` for `state_dir`; `wall` gives unix seconds."""
        self.state_dir = state_dir
        self.status = status
        self._wall = wall
        self._lock = threading.Lock()

    def update(self, **changes: Any) -> None:
        """Set fields, stamp the heartbeat and write the record."""
        with self._lock:
            for key, value in changes.items():
                setattr(self.status, key, value)
            self.status.heartbeat_at = iso(self._wall()) or ""
            self.status.write(self.state_dir)


@dataclass(frozen=True)
class HealthInput:
    """What a check looks at."""

    settings: Settings
    status: ServiceStatus
    now: float  # unix seconds


Check = Callable[[HealthInput], "str | None"]


def scan_problem(scan_age: float | None, article_age: float | None,
                 reconcile_seconds: float) -> str | None:
    """A problem if no folder scan finished for MISSED_SCANS intervals while nothing was
    processed either (a long backlog delays the scan but is not a fault)."""
    if reconcile_seconds <= 0:
        return None
    limit = MISSED_SCANS * reconcile_seconds + 1
    if scan_age is not None and scan_age <= limit:
        return None
    if article_age is not None and article_age <= limit:
        return None
    if scan_age is None:
        return "no folder scan has finished yet"
    return (f"the last folder scan finished {scan_age:.0f} s ago "
            f"(one is due every {reconcile_seconds:g} s)")


def _age(now: float, value: str | None) -> float | None:
    ts = unix(value)
    return None if ts is None else max(0.0, now - ts)


def check_scans(given: HealthInput) -> str | None:
    """The daemon keeps scanning the folder (or is busy processing)."""
    status = given.status
    return scan_problem(_age(given.now, status.last_scan_at),
                        _age(given.now, status.last_article_at), status.reconcile_seconds)


def check_reported(given: HealthInput) -> str | None:
    """Problems the daemon sees in its own threads."""
    return "; ".join(given.status.problems) or None


OVERDUE_SECONDS = 300


def check_deliveries(given: HealthInput) -> str | None:
    """No webhook delivery is dead-lettered, and none is overdue (a stuck worker)."""
    path = given.settings.db_path
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            if not conn.execute("select 1 from sqlite_master where name = 'webhook_outbox'"
                                ).fetchone():
                return None
            dead, = conn.execute("select count(*) from webhook_outbox where state = 'dead'"
                                 ).fetchone()
            overdue, = conn.execute(
                "select count(*) from webhook_outbox where state in ('pending', 'failed') "
                "and next_at is not null and next_at < ?",
                [given.now - OVERDUE_SECONDS]).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"cannot read the webhook outbox: {exc}"
    problems = []
    if dead:
        problems.append(f"{dead} webhook deliver{'y is' if dead == 1 else 'ies are'} dead "
                        "(see `monitor webhooks`, then `monitor webhooks retry`)")
    if overdue:
        problems.append(f"{overdue} webhook deliver{'y is' if overdue == 1 else 'ies are'} "
                        f"overdue by more than {OVERDUE_SECONDS // 60} minutes "
                        "(the delivery worker is stuck)")
    return "; ".join(problems) or None


CHECKS: list[Check] = [check_scans, check_reported, check_deliveries]


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class HealthReport:
    """The answer of `monitor health`."""

    healthy: bool
    message: str
    problems: list[str]
    status: ServiceStatus | None

    def to_json(self) -> dict[str, Any]:
        """The report as `monitor health --json` prints it."""
        return {"healthy": self.healthy, "message": self.message, "problems": self.problems,
                "status": asdict(self.status) if self.status else None}


def _unhealthy(problems: list[str], status: ServiceStatus | None) -> HealthReport:
    return HealthReport(False, "unhealthy: " + "; ".join(problems), problems, status)


def check_health(settings: Settings, *, now: float, alive: Callable[[int], bool] = pid_alive,
                 checks: list[Check] | None = None) -> HealthReport:
    """Is the daemon on this state directory alive, scanning and without problems?"""
    status = ServiceStatus.read(settings.state_dir)
    if status is None:
        return _unhealthy([f"no daemon has run on {settings.state_dir} (no {STATUS_FILE})"],
                          None)
    if status.state == "stopped":
        return _unhealthy([f"the daemon is not running (it stopped at {status.heartbeat_at})"],
                          status)
    if status.state == "failed":
        return _unhealthy([f"the daemon is not running (it failed at {status.heartbeat_at}: "
                           f"{'; '.join(status.problems)})"], status)
    if not alive(status.pid):
        return _unhealthy([f"the daemon is not running (pid {status.pid} died without "
                           f"stopping; last heartbeat at {status.heartbeat_at})"], status)
    heartbeat_age = _age(now, status.heartbeat_at) or 0.0
    if heartbeat_age > MISSED_HEARTBEATS * status.heartbeat_seconds + 1:
        return _unhealthy([f"the daemon (pid {status.pid}) is not responding (last heartbeat "
                           f"{heartbeat_age:.0f} s ago; one is due every "
                           f"{status.heartbeat_seconds:g} s)"], status)
    if status.state == "starting":
        return _unhealthy([f"the daemon (pid {status.pid}) is still starting: catching up on "
                           f"the folder ({status.articles} articles so far)"], status)
    given = HealthInput(settings, status, now)
    problems = [p for check in (CHECKS if checks is None else checks) if (p := check(given))]
    if problems:
        return _unhealthy(problems, status)
    scan_age = _age(now, status.last_scan_at)
    scanned = f"last folder scan {scan_age:.0f} s ago" if scan_age is not None \
        else "no folder scans"
    return HealthReport(True, f"healthy: daemon pid {status.pid} running since "
                              f"{status.started_at}; {scanned}; {status.articles} articles, "
                              f"{status.alerts} alerts, {status.rejected} rejected since start",
                        [], status)

