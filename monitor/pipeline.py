"""Pipeline: one article through every stage, in one transaction.

    file -> articles.read_article -> extract -> stories -> store -> alerts log
                                                                 -> webhook outbox
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import structlog

from monitor.alerts import AlertLog
from monitor.articles import SUFFIXES, Article, publication_date
from monitor.errors import ArticleError
from monitor.extract import ClaimExtractor, Lexicon, load_lexicon
from monitor.parallel import (
    Extracted,
    ExtractionFailed,
    ExtractionPool,
    Unreadable,
    cpu_count,
    read_file,
)
from monitor.settings import Settings
from monitor.store import Store
from monitor.stories import Alert, StoryBook
from monitor.webhooks import Outbox

log = structlog.get_logger("monitor")

# In a batch, alert lines are written at most this long after their article commits
# (and at its end): one append and fsync per interval rather than per article.
FLUSH_SECONDS = 0.1
# A batch of at least this many files is read and extracted by worker processes, one
# per core (a catch-up, a `monitor scan` of a folder); smaller batches in process.
PARALLEL_MIN = 200


@dataclass
class ScanReport:
    """What a batch of files produced."""

    processed: int = 0
    duplicates: int = 0
    rejected: int = 0
    alerts: list[Alert] = field(default_factory=list)


@dataclass(frozen=True)
class FileId:
    """What identifies a version of a file without reading it (from lstat)."""

    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileId | None:
        """The file's identity, or None if it cannot be stat'ed (vanished)."""
        try:
            st = os.lstat(path)
        except OSError:
            return None
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True)
class _Stages:
    """What a reload replaces: swapped as one object, between articles."""

    settings: Settings
    lexicon: Lexicon
    extractor: ClaimExtractor
    book: StoryBook


class Monitor:
    """The stages wired together over one state directory."""

    def __init__(self, settings: Settings, lexicon: Lexicon | None = None,
                 workers: int | None = None) -> None:
        """Open the state and load the lexicon (unless given).

        `workers`: extraction processes for large batches (default $MONITOR_WORKERS,
        else one per core; below 2, or with a lexicon given rather than loaded from
        the settings, everything runs in this process).
        """
        if workers is None:
            workers = _workers_from_environ()
        self.workers = 1 if lexicon is not None else workers
        self._pool: ExtractionPool | None = None
        self._pool_stages: _Stages | None = None  # what the pool's workers loaded
        self._batch_lock = threading.RLock()  # held while a batch runs (and uses the pool)
        lexicon = lexicon or load_lexicon(settings.watchlist, settings.places,
                                          settings.lexicon_dir)
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.store = Store(settings.db_path)
        self._stages = _Stages(settings, lexicon, ClaimExtractor(lexicon),
                               StoryBook(self.store, lexicon))
        self.alert_log = AlertLog(settings.alert_log)
        self._flushed_at = 0.0
        self.flush_alerts()
        self.outbox = Outbox(self.store.db, settings.webhooks)
        self.outbox.register()
        # called after a transaction that queued webhook deliveries has committed
        self.on_queued: Callable[[], None] | None = None
        # the day later publication dates are refused after (None: today); evaluation of
        # labelled cases sets it, since their articles may be dated after today
        self.today: date | None = None

    @property
    def settings(self) -> Settings:
        """The settings in effect (replaced by reload)."""
        return self._stages.settings

    @property
    def lexicon(self) -> Lexicon:
        """The lexicon in effect (replaced by reload)."""
        return self._stages.lexicon

    @property
    def extractor(self) -> ClaimExtractor:
        """The claim extractor in effect (replaced by reload)."""
        return self._stages.extractor

    @property
    def book(self) -> StoryBook:
        """The story book in effect (replaced by reload)."""
        return self._stages.book

    def reload(self, settings: Settings) -> None:
        """Load new lexicons and watchlist and use them from the next article on.

        Raises ConfigError (or any error loading them) and then keeps the old ones;
        the state directory and database stay those of the running monitor. Worker
        processes loaded with the old ones are stopped now, or, if a batch is using
        them, by that batch before its next article.
        """
        lexicon = load_lexicon(settings.watchlist, settings.places, settings.lexicon_dir)
        self._stages = _Stages(settings, lexicon, ClaimExtractor(lexicon),
                               StoryBook(self.store, lexicon))
        if self._batch_lock.acquire(blocking=False):
            try:
                self.release_workers()
            finally:
                self._batch_lock.release()

    def close(self) -> None:
        """Release the worker processes, the database and the alert log."""
        self.release_workers()
        self.alert_log.close()
        self.store.close()

    def release_workers(self) -> None:
        """Stop the extraction worker processes, if any (they start again when needed).

        Waits for a batch another thread is running to finish first.
        """
        with self._batch_lock:
            if self._pool is not None:
                pool, self._pool, self._pool_stages = self._pool, None, None
                pool.close()

    def _use_pool(self, files: int) -> ExtractionPool | None:
        """The worker pool for a batch of this many files, or None to work in process.

        The pool is started by the first large batch and kept while large batches
        follow (a catch-up comes in many); a small batch, or a reload since it
        started, stops it.
        """
        if self._pool is not None and self._pool_stages is not self._stages:
            self.release_workers()  # loaded before a reload
        if files < PARALLEL_MIN or self.workers < 2:
            self.release_workers()
            return None
        if self._pool is None:
            stages = self._stages
            try:
                self._pool = ExtractionPool(stages.settings, self.workers, stages.lexicon)
                self._pool_stages = stages
            except Exception as exc:  # e.g. no way to start processes here
                log.warning("extraction workers unavailable; extracting in process",
                            error=repr(exc))
                self.workers = 1
        return self._pool

    def flush_alerts(self) -> None:
        """Append every committed alert not yet in the alert log."""
        self.alert_log.flush_from(self.store)
        self._flushed_at = time.monotonic()

    def _reject(self, name: str, reason: str, file_id: FileId | None, report: ScanReport,
                *, error: bool = False) -> None:
        """One log line and one row of `rejected`; the file is not read again unchanged."""
        if error:
            log.error("article rejected", file=name, reason=reason, exc_info=True)
        else:
            log.warning("article rejected", file=name, reason=reason)
        with self.store.transaction():
            self.store.reject(name, reason)
            if file_id:
                self.store.record_file(name, "", file_id.size, file_id.mtime_ns, "rejected",
                                       reason, ctime_ns=file_id.ctime_ns)
        report.rejected += 1

    def _refuse(self, name: str, refused: Unreadable, file_id: FileId | None,
                report: ScanReport) -> None:
        self._reject(name, refused.reason, file_id, report, error=refused.error)

    def _date(self, path: Path, file_id: FileId | None, report: ScanReport) -> date | None:
        """The publication date that orders this file, or None if it was rejected."""
        try:
            return publication_date(path, max_bytes=self.settings.max_article_bytes,
                                    today=self.today)
        except ArticleError as exc:
            self._reject(path.name, exc.reason, file_id, report)
        except (RecursionError, ValueError, LookupError, OSError) as exc:
            self._reject(path.name, f"unexpected error reading it: {type(exc).__name__}: {exc}",
                         file_id, report, error=True)
        return None

    def process(self, article: Article, report: ScanReport, file_id: FileId | None = None,
                *, flush: bool = True) -> None:
        """Extract, resolve and store one article and its alerts atomically.

        With `file_id`, the file is recorded in the same transaction, so a crash
        at any moment leaves it either fully processed or to be read again. With
        `flush` (the default) its alert lines are appended at once; a batch passes
        False and appends them every FLUSH_SECONDS and at its end.
        """
        self._commit(article, None, report, file_id, flush)

    def _commit(self, article: Article, extracted: Extracted | ExtractionFailed | None,
                report: ScanReport, file_id: FileId | None, flush: bool) -> None:
        """Skip duplicate content; else resolve and store the claims (extracted here
        if not given) and the alerts in one transaction with the file's record."""
        def record(outcome: str) -> None:
            if file_id:
                self.store.record_file(article.name, article.sha256, file_id.size,
                                       file_id.mtime_ns, outcome, ctime_ns=file_id.ctime_ns)

        if self.store.has_article(article.sha256):
            report.duplicates += 1
            log.info("duplicate content skipped", file=article.name)
            with self.store.transaction():
                record("duplicate")
            return
        if isinstance(extracted, ExtractionFailed):  # raised in a worker process
            self._reject(article.name, f"could not be processed: {extracted.reason}", file_id,
                         report, error=True)
            return
        stages = self._stages  # one consistent set, even if a reload swaps them meanwhile
        queued = 0
        try:
            claims = (stages.extractor.extract(article) if extracted is None
                      else extracted.claims)
            with self.store.transaction():
                alerts = stages.book.apply(article, claims)
                for alert in alerts:
                    if self.store.add_alert(alert.id, alert.story_id, alert.body):
                        queued += self.outbox.enqueue(alert.id, alert.story_id, alert.body)
                self.store.add_article(article.sha256, article.name,
                                       article.published.isoformat(), article.dated, len(claims))
                record("processed")
        except (sqlite3.Error, OSError):
            raise  # the state, not the article: retried on the next scan
        except Exception as exc:  # a bug on one article must not stop the others
            self._reject(article.name, f"could not be processed: {type(exc).__name__}: {exc}",
                         file_id, report, error=True)
            return
        report.processed += 1
        report.alerts.extend(alerts)
        if flush or time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            self.flush_alerts()
        if queued and self.on_queued is not None:
            self.on_queued()
        for alert in alerts:
            log.info("status changed", story=alert.body["story"]["title"],
                     change=f"{alert.body['from']} -> {alert.body['to']}",
                     article=article.name)

    def process_paths(self, paths: Iterable[Path],
                      progress: Callable[[int, int], None] | None = None,
                      stop: threading.Event | None = None) -> ScanReport:
        """Process files in publication order (then by name); bad files are logged and skipped.

        Only each file's date is read up front (a text file's first line); the
        articles are then read, processed and let go one at a time, so a batch of
        any size holds one article (or, with worker processes, a few dozen). When
        `stop` is set the remaining files are left alone (a later scan takes them).
        """
        with self._batch_lock:
            return self._process_paths(list(paths), progress, stop)

    def _process_paths(self, paths: list[Path], progress: Callable[[int, int], None] | None,
                       stop: threading.Event | None) -> ScanReport:
        report = ScanReport()
        file_ids = [FileId.of(path) for path in paths]
        seen = self.store.seen_files([path.name for path in paths])
        queue: list[tuple[date, str, int]] = []
        for i, (path, file_id) in enumerate(zip(paths, file_ids, strict=True)):
            if stop is not None and stop.is_set():
                return report
            if file_id and seen.get(path.name) == (file_id.size, file_id.mtime_ns,
                                                   file_id.ctime_ns):
                continue  # handled already (a reconcile scan lists every file)
            published = self._date(path, file_id, report)
            if published is not None:
                queue.append((published, path.name, i))
        queue.sort()
        done = 0
        try:
            pool = self._use_pool(len(queue))
            if pool is not None:
                done = self._process_in_workers(pool, queue, paths, file_ids, report, progress,
                                                stop)
            for _, _, i in queue[done:]:
                if stop is not None and stop.is_set():
                    break
                article = read_file(paths[i], self.settings.max_article_bytes, self.today)
                if isinstance(article, Unreadable):
                    self._refuse(paths[i].name, article, file_ids[i], report)
                else:
                    self.process(article, report, file_ids[i], flush=False)
                done += 1
                if progress:
                    progress(done, len(queue))
        finally:
            self.flush_alerts()
        return report

    def _process_in_workers(self, pool: ExtractionPool, queue: list[tuple[date, str, int]],
                            paths: list[Path], file_ids: list[FileId | None],
                            report: ScanReport, progress: Callable[[int, int], None] | None,
                            stop: threading.Event | None) -> int:
        """Store what the workers read and extracted, in queue order; return how many
        files were handled (the rest, after a stop, a reload or a worker's death, are
        for the caller)."""
        done = 0
        stages = self._stages
        results = pool.extract((paths[i] for _, _, i in queue), self.today)
        try:
            for (_, _, i), result in zip(queue, results, strict=False):
                if stop is not None and stop.is_set() or self._stages is not stages:
                    break  # stopping; or reloaded: the rest with the new lexicon, in process
                if isinstance(result, Unreadable):
                    self._refuse(paths[i].name, result, file_ids[i], report)
                else:
                    self._commit(result.article, result, report, file_ids[i], flush=False)
                done += 1
                if progress:
                    progress(done, len(queue))
        except BrokenProcessPool as exc:  # a worker died: the rest in process
            broken = True
            if stop is None or not stop.is_set():  # (stopping: the service's SIGTERM)
                log.warning("extraction worker failed; extracting in process",
                            error=repr(exc))
                self.workers = 1
        else:
            broken = False
        finally:
            results.close()
        if broken or self._stages is not stages:
            self.release_workers()
        return done


def _workers_from_environ() -> int:
    """$MONITOR_WORKERS if it is a whole number, else one per core."""
    value = os.environ.get("MONITOR_WORKERS", "").strip()
    if value.isdigit():
        return int(value)
    if value:
        log.warning("MONITOR_WORKERS is not a whole number; using one worker per core",
                    value=value)
    return cpu_count()


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the article files directly inside named folders."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir()
                                if p.suffix.lower() in SUFFIXES and not p.name.startswith(".")))
        else:
            files.append(path)
    return files
