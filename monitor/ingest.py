"""Folder-watching stage: turn file-system events into batches of complete files.

Events are hints, not facts: a path is READY when closed after writing, moved in,
or when its size and mtime stayed put for a settle window (with inotify, a file
someone is still writing waits for its close, up to `writer_grace_seconds`).
Catch-up and reconcile scans hand every entry to the consumer, which dedups by
content hash and decides what is an article: the watcher passes on symlinks,
directories named like articles and files deleted before they were read, so
that each gets a reason in the consumer's log rather than silence.
"""

from __future__ import annotations

import heapq
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from watchdog import events as wd
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from monitor.articles import SUFFIXES
from monitor.errors import MonitorError

log = structlog.get_logger(__name__)

OBSERVERS = ("auto", "inotify", "polling")
TEMP_SUFFIXES = (".tmp", ".part", ".swp", "~")
BATCH_SIZE = 500
TICK_SECONDS = 0.1
POLL_SECONDS = 0.5
WRITER_GRACE_SECONDS = 60.0
# A reconcile scan queues only entries whose ctime or mtime is at most this long before
# the previous scan started: older ones were listed, and queued, by that scan. (A
# write, a rename, a link or a chmod sets the ctime; the margin covers clock skew.)
RECONCILE_MARGIN = 60.0
# A ready file wakes the worker at once, unless the previous batch began less than
# this long ago: then a burst is arriving, and batches go out a tick apart to gather it.
BURST_SECONDS = 0.02


class IngestError(MonitorError):
    """The folder cannot be watched (bad observer name, missing folder, no inotify)."""


def is_candidate_name(name: str) -> bool:
    """Return False for hidden files and editor/download temp names."""
    return not name.startswith(".") and not name.lower().endswith(TEMP_SUFFIXES)


def _is_entry(path: Path) -> bool:
    """True for what the consumer should judge: not a plain subfolder, not vanished."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return not stat.S_ISDIR(st.st_mode) or path.suffix.lower() in SUFFIXES


def list_articles(folder: Path) -> list[Path]:
    """Entries directly in `folder` for the consumer to read or reject, sorted by name.

    Files of any type, symlinks (wherever they point: the reader refuses those leaving
    the folder) and directories named like articles ("x.txt"); skips hidden and temp
    names and other subfolders. Raises OSError if the folder cannot be listed.
    """
    folder = Path(folder)
    with os.scandir(folder) as entries:
        names = [entry.name for entry in entries if is_candidate_name(entry.name)]
    return [folder / name for name in sorted(names) if _is_entry(folder / name)]


def _changed_since(folder: Path, since: float | None,
                   also: set[str]) -> list[tuple[str, float]]:
    """The names of `list_articles(folder)` with each entry's mtime, keeping only entries
    whose mtime or ctime is `since` or later (all if None), symlinks, and the names in
    `also`.

    One system call per entry, and names rather than paths: a catch-up lists every
    file in the folder. Raises OSError if the folder cannot be listed.
    """
    found: list[tuple[str, float]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not is_candidate_name(name):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:  # vanished meanwhile
                continue
            if stat.S_ISDIR(st.st_mode) and os.path.splitext(name)[1].lower() not in SUFFIXES:
                continue  # a plain subfolder
            if (since is None or max(st.st_mtime, st.st_ctime) >= since or name in also
                    or stat.S_ISLNK(st.st_mode)):  # a link's target may have changed
                found.append((name, st.st_mtime))
    return found


def _make_observer(kind: str) -> BaseObserver:
    """Construct the watchdog observer named by `kind` or raise IngestError."""
    try:
        if kind == "inotify":
            from watchdog.observers.inotify import InotifyObserver  # Linux only
            return InotifyObserver()
        return PollingObserver(timeout=POLL_SECONDS) if kind == "polling" else Observer()
    except Exception as exc:  # ImportError, UnsupportedLibcError, OSError (inotify limits)
        raise IngestError(f"observer {kind!r} is not available: {exc}") from exc


@dataclass
class _Pending:
    """A path seen by an event, waiting for its size and mtime to settle."""

    since: float
    sig: tuple[int, int] | None = None
    writing: bool = False  # data was written and no close seen yet (inotify only)


class _Handler(wd.FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: wd.FileSystemEvent) -> None:
        try:
            self._watcher._on_event(event)
        except Exception:  # the observer thread must survive anything
            log.exception("error handling file event", event=repr(event))


class FolderWatcher:
    """Watches one folder and hands complete files to `on_ready` in batches."""

    def __init__(self, folder: Path, on_ready: Callable[[list[Path]], None], *,
                 observer: str = "auto", settle_seconds: float = 0.3,
                 reconcile_seconds: float = 30.0,
                 writer_grace_seconds: float = WRITER_GRACE_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 on_idle: Callable[[], None] | None = None) -> None:
        """Configure the watcher (nothing runs until start()); reconcile_seconds <= 0: no scans.

        With inotify, a file that was written to and not yet closed is read once
        closed, or after writer_grace_seconds without a change. `on_idle`, if given,
        is called from the worker thread when it has delivered everything that was
        ready (to release what a backlog needed).
        """
        if observer not in OBSERVERS:
            raise IngestError(f"observer must be one of {', '.join(OBSERVERS)}, not {observer!r}")
        if settle_seconds < 0:
            raise IngestError(f"settle_seconds must be >= 0, not {settle_seconds!r}")
        self._folder = Path(folder).absolute()
        self._on_ready = on_ready
        self._on_idle = on_idle
        self._observer_kind = observer
        self._settle = settle_seconds
        self._reconcile_seconds = reconcile_seconds
        self._writer_grace = max(writer_grace_seconds, settle_seconds)
        self._close_events = False  # set once the observer is known to report closes
        self._clock = clock
        self._tick = min(TICK_SECONDS, settle_seconds / 2) or TICK_SECONDS
        self._cond = threading.Condition()  # guards every field below
        # files by name (all are directly in the folder): a catch-up may queue 100,000
        self._pending: dict[str, _Pending] = {}
        self._ready: set[str] = set()
        self._order: list[str] = []  # heap of ready names (some stale)
        self._retry: set[str] = set()  # delivered, but on_ready raised: the next scan retries
        self._scanned_at: float | None = None  # time.time() when the previous scan began
        self._scan_left: set[str] = set()  # names a scan queued, not yet delivered
        # files handed over as vanished (deleted before they were read), by clock() time:
        # the close that may follow their deletion brings nothing new
        self._gone: dict[str, float] = {}
        self._scan_open = False
        self._last_reconcile: float | None = None
        self._stop = threading.Event()
        self._started = False
        self._observer: BaseObserver | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._worker: threading.Thread | None = None

    @property
    def last_reconcile(self) -> float | None:
        """clock() time at which the last catch-up or reconcile scan was fully delivered."""
        with self._cond:
            return self._last_reconcile

    def start(self) -> None:
        """Start observer, worker and scheduler; deliver existing files before returning."""
        if self._started:
            raise IngestError("FolderWatcher can only be started once")
        if not self._folder.is_dir():
            raise IngestError(f"watch folder does not exist or is not a directory: {self._folder}")
        self._started = True
        self._observer = self._start_observer()
        try:
            self._queue_scan()  # catch-up: everything already in the folder
        except OSError as exc:
            self.stop()
            raise IngestError(f"cannot list watch folder {self._folder}: {exc}") from exc
        self._worker = threading.Thread(target=self._run, name="ingest-worker", daemon=True)
        self._worker.start()
        with self._cond:  # the catch-up scan is delivered by the worker
            while self._scan_open and not self._stop.is_set() and self._worker.is_alive():
                self._cond.wait(self._tick)
        if self._reconcile_seconds > 0 and not self._stop.is_set():
            self._scheduler = BackgroundScheduler(daemon=True)
            self._scheduler.add_job(self.reconcile_now, "interval", seconds=self._reconcile_seconds,
                                    id="ingest-reconcile", coalesce=True, max_instances=1)
            self._scheduler.start()
        log.info("watching", folder=str(self._folder), observer=type(self._observer).__name__)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop all threads; idempotent. A batch being handed to on_ready completes."""
        if not self._started or self._stop.is_set():
            return
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout)
            if self._worker.is_alive():
                log.warning("ingest worker still busy after stop timeout", timeout=timeout)

    def problem(self) -> str | None:
        """Why the watcher is not doing its job, or None while all its threads run."""
        if not self._started or self._stop.is_set():
            return "the folder watcher is not running"
        if self._worker is None or not self._worker.is_alive():
            return "the ingest worker thread has stopped"
        observer = self._observer
        if observer is None or not observer.is_alive() or not all(
                emitter.is_alive() for emitter in observer.emitters):
            return f"the file-system observer has stopped watching {self._folder}"
        if self._scheduler is not None and not self._scheduler.running:
            return "the reconcile scheduler has stopped"
        return None

    def reconcile_now(self) -> None:
        """List the folder and queue every file new or changed since the previous scan, and
        any whose delivery failed (the consumer dedups)."""
        try:
            self._queue_scan()
        except Exception:
            log.exception("reconcile scan failed", folder=str(self._folder))

    def _start_observer(self, kind: str | None = None) -> BaseObserver:
        """Start the configured observer; "auto" falls back to polling if it fails."""
        kind = kind or self._observer_kind
        try:
            observer = _make_observer(kind)
            observer.schedule(_Handler(self), str(self._folder), recursive=False)
            observer.start()
            self._close_events = type(observer).__name__.startswith("Inotify")
        except Exception as exc:
            if kind != "auto":
                raise IngestError(f"cannot watch {self._folder} ({kind}): {exc}") from exc
            log.warning("native observer failed, falling back to polling", error=str(exc))
            return self._start_observer("polling")
        return observer

    def _accept(self, raw: bytes | str) -> str | None:
        """The event path's name if it is a candidate directly in the folder."""
        if not raw:
            return None
        path = Path(os.fsdecode(raw))
        return path.name if path.parent == self._folder and is_candidate_name(path.name) \
            else None

    def _on_event(self, event: wd.FileSystemEvent) -> None:
        """Observer thread: record what the event hints at (Dir* events match no branch)."""
        src = self._accept(event.src_path)
        with self._cond:
            if isinstance(event, wd.FileDeletedEvent) and src is not None:
                if src in self._pending or src in self._ready:
                    self._vanished(src)  # the consumer logs that it went before it was read
                return
            if isinstance(event, wd.FileMovedEvent) and src is not None:
                self._forget(src)  # renamed: it no longer exists under this name
            if isinstance(event, wd.FileMovedEvent):
                dest = self._accept(event.dest_path)
                if dest is not None:
                    self._pending.pop(dest, None)
                    self._make_ready(dest)
                    self._gone.pop(dest, None)
            elif isinstance(event, wd.FileClosedEvent) and src is not None:
                self._pending.pop(src, None)
                if self._gone.pop(src, None) is None:  # else reported as vanished already
                    self._make_ready(src)
            elif isinstance(event, wd.FileCreatedEvent | wd.FileModifiedEvent) and src is not None:
                self._gone.pop(src, None)
                self._ready.discard(src)  # still being written: wait for it to settle
                previous = self._pending.get(src)
                writing = self._close_events and (isinstance(event, wd.FileModifiedEvent) or (
                    previous is not None and previous.writing))
                self._pending[src] = _Pending(since=self._clock(), writing=writing)

    def _make_ready(self, name: str) -> None:
        """Mark a file READY and wake the worker (call with the lock held)."""
        if name not in self._ready:
            self._ready.add(name)
            heapq.heappush(self._order, name)
        self._cond.notify_all()  # no need to wait for the worker's tick

    def _vanished(self, name: str) -> None:
        """Deliver a file that went away before it was read, for the consumer to report."""
        self._pending.pop(name, None)
        self._gone[name] = self._clock()
        self._make_ready(name)

    def _forget(self, name: str) -> None:
        self._pending.pop(name, None)
        self._ready.discard(name)
        self._scan_left.discard(name)
        self._finish_scan_if_done()

    def _queue_scan(self) -> None:
        """Queue every listed entry new or changed since the previous scan (the first
        scan: every entry), and any whose delivery failed: READY, unless it may still be
        being written."""
        with self._cond:
            started = time.time()
            since = None if self._scanned_at is None else self._scanned_at - RECONCILE_MARGIN
            retry = set(self._retry)
        # listed outside the lock: events go on being recorded meanwhile
        listed = _changed_since(self._folder, since, retry)
        fresh_after = time.time() - self._settle
        with self._cond:
            self._scanned_at = started
            self._retry.difference_update(retry)
            for name, mtime in listed:
                if name not in self._pending:
                    if mtime > fresh_after:
                        self._pending[name] = _Pending(since=self._clock())
                    else:
                        self._make_ready(name)
                self._scan_left.add(name)
            self._scan_open = True
            self._finish_scan_if_done()

    def _finish_scan_if_done(self) -> None:
        if self._scan_open and not self._scan_left:
            self._scan_open = False
            self._last_reconcile = self._clock()
            self._cond.notify_all()

    def _promote_settled(self) -> None:
        """Move pending paths whose size and mtime stayed put for the settle window."""
        with self._cond:
            now = self._clock()
            for name, when in list(self._gone.items()):
                if now - when > self._writer_grace:
                    del self._gone[name]  # its close, if any, came long ago
            for name, entry in list(self._pending.items()):
                try:
                    st = os.lstat(self._folder / name)
                except OSError:
                    self._vanished(name)
                    continue
                sig = (st.st_size, st.st_mtime_ns)
                window = self._writer_grace if entry.writing else self._settle
                if sig != entry.sig:
                    entry.sig, entry.since = sig, now
                elif now - entry.since >= window:
                    del self._pending[name]
                    self._make_ready(name)

    def _take_batch(self) -> list[str]:
        """Up to BATCH_SIZE ready paths, first by name (from the heap, not a sort of all)."""
        with self._cond:
            batch: list[str] = []
            while self._order and len(batch) < BATCH_SIZE:
                name = heapq.heappop(self._order)
                if name in self._ready:  # else no longer ready: a stale entry
                    self._ready.discard(name)
                    batch.append(name)
            return batch

    def _deliver(self, batch: list[str]) -> None:
        try:
            self._on_ready([self._folder / name for name in batch])
        except Exception:
            log.exception("on_ready failed; the watcher keeps going", first=batch[0])
            with self._cond:
                self._retry.update(batch)  # the next reconcile scan hands them over again
        finally:
            with self._cond:
                self._scan_left.difference_update(batch)
                self._finish_scan_if_done()

    def _run(self) -> None:
        """Worker thread: the only caller of on_ready (and of on_idle)."""
        last_batch = float("-inf")
        while not self._stop.is_set():
            try:
                self._promote_settled()
                delivered = False
                while not self._stop.is_set() and (batch := self._take_batch()):
                    last_batch = time.monotonic()
                    self._deliver(batch)
                    delivered = True
                if delivered and self._on_idle is not None:
                    self._on_idle()
            except Exception:  # never let the worker die
                log.exception("ingest worker error")
            with self._cond:  # until a file is ready (notified), or a tick for settling ones
                if not self._ready and not self._stop.is_set():
                    self._cond.wait(self._tick)
            if time.monotonic() - last_batch < BURST_SECONDS:
                self._stop.wait(self._tick)  # in a burst: let the next batch gather
