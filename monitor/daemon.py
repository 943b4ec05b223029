"""Daemon: catch up on the folder, then watch it; stop cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import IO

import structlog

from monitor.errors import AlreadyRunning
from monitor.ingest import FolderWatcher
from monitor.pipeline import Monitor
from monitor.settings import Settings
from monitor.webhooks import Dispatcher, load_endpoints

log = structlog.get_logger("monitor")


class StateLock:
    """An exclusive lock on the state directory, naming the holder's pid."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "monitor.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning with the running daemon's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held while running
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


class Daemon:
    """The long-running monitor: a folder watcher feeding the pipeline."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stop = threading.Event()
        self.monitor: Monitor | None = None

    def _on_ready(self, paths: list[Path]) -> None:
        assert self.monitor is not None
        report = self.monitor.process_paths(paths)
        if report.processed or report.rejected:
            log.info("batch processed", files=len(paths), processed=report.processed,
                     duplicates=report.duplicates, rejected=report.rejected,
                     alerts=len(report.alerts))

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("stopping", signal=signal.Signals(signum).name)
        self._stop.set()

    def stop(self) -> None:
        """Ask the daemon to stop (as SIGTERM does)."""
        self._stop.set()

    def run(self) -> None:
        """Run until stopped; every article processed so far stays committed."""
        endpoints = load_endpoints(self.settings)  # a missing secret stops us before anything
        lock = StateLock(self.settings.state_dir)
        lock.acquire()
        watcher: FolderWatcher | None = None
        dispatcher: Dispatcher | None = None
        try:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, self._signal)
                signal.signal(signal.SIGINT, self._signal)
            self.monitor = Monitor(self.settings)
            dispatcher = Dispatcher(self.settings.db_path, endpoints,
                                    poll_seconds=self.settings.webhook_poll_seconds)
            self.monitor.on_queued = dispatcher.nudge
            dispatcher.start()
            self.settings.watch_dir.mkdir(parents=True, exist_ok=True)
            watcher = FolderWatcher(self.settings.watch_dir, self._on_ready,
                                    observer=self.settings.observer,
                                    settle_seconds=self.settings.settle_seconds,
                                    reconcile_seconds=self.settings.reconcile_seconds)
            watcher.start()
            log.info("ready", watch_dir=str(self.settings.watch_dir),
                     state_dir=str(self.settings.state_dir))
            while not self._stop.wait(0.5):
                pass
        finally:
            if watcher is not None:
                watcher.stop()
            if dispatcher is not None:
                dispatcher.stop()
            if self.monitor is not None:
                self.monitor.close()
            lock.release()
            log.info("stopped")
