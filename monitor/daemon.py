"""Daemon: catch up on the folder, then watch it, until SIGTERM or SIGINT.

Under systemd (Type=notify) it reports READY=1 once the database is migrated
and the observer, the catch-up scan and the reconcile scheduler are up;
WATCHDOG=1 every half $WATCHDOG_USEC while healthy; RELOADING=1 and READY=1
around a SIGHUP reload of the config, watchlist and lexicons; STOPPING=1 on
SIGTERM. It rewrites status.json for `monitor health` every heartbeat.
"""

from __future__ import annotations

import fcntl
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import IO, Any

import structlog

from monitor.errors import AlreadyRunning
from monitor.health import ServiceStatus, StatusWriter, iso, scan_problem
from monitor.ingest import FolderWatcher
from monitor.pipeline import Monitor
from monitor.settings import Settings, load_settings
from monitor.systemd import Notifier, watchdog_interval
from monitor.webhooks import Dispatcher, load_endpoints

log = structlog.get_logger("monitor")


class StateLock:
    """An exclusive lock on the state directory, naming the holder's pid."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "monitor.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning with the running daemon's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")  # held while running
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "unknown"
            handle.close()
            raise AlreadyRunning(f"another monitor (pid {pid}) is using {self.path.parent}; "
                                 "stop it first or use another --state-dir") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Release the lock."""
        if self._file is not None:
            self._file.close()
            self._file = None


# settings a reload cannot change: they are logged and keep their running values
RESTART_ONLY = ("watch_dir", "state_dir", "observer", "settle_seconds", "reconcile_seconds",
                "heartbeat_seconds", "log_format", "log_level", "log_file")
START_EXTEND_SECONDS = 60.0  # each sign of catch-up progress buys this much start-up time
START_PING_SECONDS = 5.0
# After handing over at least this many files without a pause, the daemon frees what
# the backlog took (extraction worker processes, garbage) when the watcher is next idle.
BACKLOG_FILES = 200


class Daemon:
    """The long-running monitor: a folder watcher feeding the pipeline."""

    def __init__(self, settings: Settings, *,
                 reload_settings: Callable[[], Settings] | None = None,
                 environ: Mapping[str, str] = os.environ,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        """Configure the daemon; run() starts it.

        `reload_settings` reads the configuration again on SIGHUP (default: the same
        config file with the running state and watch folders); `environ` supplies
        NOTIFY_SOCKET and WATCHDOG_USEC; `clock` is monotonic, `wall` unix seconds.
        """
        self.settings = settings
        self._reload_settings = reload_settings or self._same_file
        self.notifier = Notifier.from_environ(environ)
        self._watchdog_every = watchdog_interval(environ)
        self._clock = clock
        self._wall = wall
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._reload = threading.Event()
        self._signal_name: str | None = None
        self.monitor: Monitor | None = None
        self._watcher: FolderWatcher | None = None
        self._status: StatusWriter | None = None
        self._providers: dict[str, Callable[[], Any]] = {}
        self._ready = False
        self._last_article: float | None = None
        self._last_start_ping = float("-inf")
        self._counts = {"articles": 0, "alerts": 0, "rejected": 0}
        self._problems: list[str] = []
        self._backlog = 0  # files handed over since the watcher was last idle

    def _same_file(self) -> Settings:
        if self.settings.config_path is None:
            raise ValueError("the daemon was started without a config file")
        return load_settings(self.settings.config_path, watch_dir=str(self.settings.watch_dir),
                             state_dir=str(self.settings.state_dir))

    def add_status_provider(self, name: str, provider: Callable[[], Any]) -> None:
        """Publish provider() under status.json's `extra.<name>` at every heartbeat.

        For health checks of components the daemon runs (e.g. webhook deliveries);
        the value must be JSON-serialisable and cheap to compute.
        """
        self._providers[name] = provider

    # called by the ingest worker thread
    def _on_ready(self, paths: list[Path]) -> None:
        assert self.monitor is not None
        self._backlog += len(paths)
        report = self.monitor.process_paths(paths, progress=self._progress, stop=self._stop)
        self._counts["articles"] += report.processed
        self._counts["alerts"] += len(report.alerts)
        self._counts["rejected"] += report.rejected
        if report.processed or report.rejected:
            log.info("batch processed", files=len(paths), processed=report.processed,
                     duplicates=report.duplicates, rejected=report.rejected,
                     alerts=len(report.alerts))

    # called by the ingest worker thread when everything ready was handed over
    def _on_idle(self) -> None:
        """After a backlog, give back what it took.

        The extraction workers stop, and a full garbage collection lets the
        allocator return the memory of a large catch-up instead of keeping the
        peak resident for good.
        """
        assert self.monitor is not None
        if self._backlog >= BACKLOG_FILES:
            self.monitor.release_workers()
            gc.collect()
        self._backlog = 0

    def _progress(self, done: int, total: int) -> None:
        now = self._clock()
        self._last_article = now
        if not self._ready and now - self._last_start_ping >= min(
                START_PING_SECONDS, self._watchdog_every or START_PING_SECONDS):
            self._last_start_ping = now  # catching up: progress is a sign of health
            self.notifier.extend_timeout(START_EXTEND_SECONDS)
            self.notifier.watchdog()
            self.notifier.status(f"catching up on {self.settings.watch_dir}")
            self._write_status()

    # signal handlers: only flags and a datagram, no logging (its lock is not reentrant)
    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self._stop.is_set():
            self._signal_name = signal.Signals(signum).name
            self.notifier.stopping()
        self._stop.set()
        self._wake.set()

    def _on_hup(self, signum: int, frame: FrameType | None) -> None:
        self._reload.set()
        self._wake.set()

    def stop(self) -> None:
        """Ask the daemon to stop (as SIGTERM does)."""
        self._stop.set()
        self._wake.set()

    def reload(self) -> None:
        """Ask the daemon to reload its configuration (as SIGHUP does)."""
        self._reload.set()
        self._wake.set()

    def problems(self) -> list[str]:
        """What keeps the daemon from doing its job now (empty: healthy)."""
        problems = self._thread_problems()
        assert self._watcher is not None
        now = self._clock()
        last_scan = self._watcher.last_reconcile
        scan = scan_problem(None if last_scan is None else now - last_scan,
                            None if self._last_article is None else now - self._last_article,
                            self.settings.reconcile_seconds)
        return problems + ([scan] if scan else [])

    def _thread_problems(self) -> list[str]:
        problem = self._watcher.problem() if self._watcher is not None else None
        return [problem] if problem else []

    def _write_status(self, **changes: Any) -> None:
        if self._status is None:
            return
        now, wall = self._clock(), self._wall()

        def ago(then: float | None) -> str | None:
            return None if then is None else iso(wall - (now - then))

        extra = {}
        for name, provider in self._providers.items():
            try:
                extra[name] = provider()
            except Exception as exc:  # a broken provider must not stop the heartbeat
                extra[name] = {"error": f"{type(exc).__name__}: {exc}"}
        last_scan = self._watcher.last_reconcile if self._watcher is not None else None
        fields: dict[str, Any] = {"last_scan_at": ago(last_scan),
                                  "last_article_at": ago(self._last_article),
                                  "problems": self._thread_problems(), "extra": extra,
                                  **self._counts}
        try:
            self._status.update(**{**fields, **changes})
        except OSError as exc:
            log.error("cannot write status.json", error=str(exc))

    def _status_line(self) -> str:
        return (f"watching {self.settings.watch_dir}: {self._counts['articles']} articles, "
                f"{self._counts['alerts']} alerts since start")

    def _do_reload(self) -> None:
        assert self.monitor is not None
        self.notifier.reloading()
        config = str(self.settings.config_path)
        log.info("reloading", config=config)
        try:
            new = self._reload_settings()
            fixed = [key for key in RESTART_ONLY
                     if getattr(new, key) != getattr(self.settings, key)]
            new = replace(new, **{key: getattr(self.settings, key) for key in fixed})
            self.monitor.reload(new)
        except Exception as exc:  # a ConfigError, mostly; anything else is refused the same
            log.error("reload refused, keeping the running configuration", config=config,
                      error=str(exc))
        else:
            self.settings = new
            if fixed:
                log.warning("reloaded; these settings change only on restart", config=config,
                            settings=fixed)
            else:
                log.info("reloaded", config=config)
            self._write_status(reloaded_at=iso(self._wall()))
        self.notifier.ready(status=self._status_line())

    def _loop(self) -> None:
        heartbeat = self.settings.heartbeat_seconds
        next_beat = next_ping = self._clock()
        shown = self._status_line()  # sent with READY=1
        while True:
            now = self._clock()
            due = min(next_beat, next_ping if self._watchdog_every else next_beat)
            self._wake.wait(max(0.0, min(due - now, 1.0)))
            self._wake.clear()
            if self._stop.is_set():
                return
            if self._reload.is_set():
                self._reload.clear()
                self._do_reload()
            problems = self.problems()
            if problems != self._problems:
                if problems:
                    log.error("unhealthy", problems=problems)
                else:
                    log.info("healthy again")
                self._problems = problems
            now = self._clock()
            if self._watchdog_every and now >= next_ping:
                if not problems:
                    self.notifier.watchdog()
                next_ping = now + self._watchdog_every
            if now >= next_beat:
                self._write_status()
                if (line := self._status_line()) != shown:
                    self.notifier.status(line)
                    shown = line
                next_beat = now + heartbeat

    def run(self) -> None:
        """Run until stopped; every article processed so far stays committed."""
        endpoints = load_endpoints(self.settings)  # a missing secret stops us before anything
        lock = StateLock(self.settings.state_dir)
        lock.acquire()
        watcher: FolderWatcher | None = None
        dispatcher: Dispatcher | None = None
        failure: BaseException | None = None
        try:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, self._on_stop_signal)
                signal.signal(signal.SIGINT, self._on_stop_signal)
                signal.signal(signal.SIGHUP, self._on_hup)
            self.monitor = Monitor(self.settings)  # applies migrations
            dispatcher = Dispatcher(self.settings.db_path, endpoints,
                                    poll_seconds=self.settings.webhook_poll_seconds)
            self.monitor.on_queued = dispatcher.nudge
            dispatcher.start()
            started = iso(self._wall()) or ""
            self._status = StatusWriter(self.settings.state_dir, ServiceStatus(
                pid=os.getpid(), state="starting", started_at=started, heartbeat_at=started,
                heartbeat_seconds=self.settings.heartbeat_seconds,
                reconcile_seconds=self.settings.reconcile_seconds), self._wall)
            self._write_status()
            try:
                self.settings.watch_dir.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # read-only here (ProtectSystem=strict): start() names the missing folder
            watcher = FolderWatcher(self.settings.watch_dir, self._on_ready,
                                    observer=self.settings.observer,
                                    settle_seconds=self.settings.settle_seconds,
                                    reconcile_seconds=self.settings.reconcile_seconds,
                                    clock=self._clock, on_idle=self._on_idle)
            self._watcher = watcher
            watcher.start()  # observer, catch-up scan, then the reconcile scheduler
            if not self._stop.is_set():
                self._ready = True
                self._write_status(state="running")
                self.notifier.ready(status=self._status_line())
                log.info("ready", watch_dir=str(self.settings.watch_dir),
                         state_dir=str(self.settings.state_dir), pid=os.getpid())
                self._loop()
            log.info("stopping", signal=self._signal_name)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            if self._signal_name is None:
                self.notifier.stopping()
            if watcher is not None:
                watcher.stop()
            if dispatcher is not None:
                dispatcher.stop()
            if self.monitor is not None:
                self.monitor.close()
            if failure is None:
                self._write_status(state="stopped", problems=[])
            else:
                self._write_status(state="failed", problems=[
                    f"{type(failure).__name__}: {failure}"])
            lock.release()
            log.info("stopped")
