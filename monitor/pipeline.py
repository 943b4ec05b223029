"""Pipeline: one article through every stage, in one transaction.

    file -> articles.read_article -> extract -> stories -> store -> alerts log
                                                                 -> webhook outbox
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import structlog

from monitor.alerts import AlertLog
from monitor.articles import SUFFIXES, Article, read_article
from monitor.errors import ArticleError
from monitor.extract import ClaimExtractor, Lexicon, load_lexicon
from monitor.settings import Settings
from monitor.store import Store
from monitor.stories import Alert, StoryBook
from monitor.webhooks import Outbox

log = structlog.get_logger("monitor")


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

    def __init__(self, settings: Settings, lexicon: Lexicon | None = None) -> None:
        lexicon = lexicon or load_lexicon(settings.watchlist, settings.places,
                                          settings.lexicon_dir)
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.store = Store(settings.db_path)
        self._stages = _Stages(settings, lexicon, ClaimExtractor(lexicon),
                               StoryBook(self.store, lexicon))
        self.alert_log = AlertLog(settings.alert_log)
        self.alert_log.flush_from(self.store)
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
        the state directory and database stay those of the running monitor.
        """
        lexicon = load_lexicon(settings.watchlist, settings.places, settings.lexicon_dir)
        self._stages = _Stages(settings, lexicon, ClaimExtractor(lexicon),
                               StoryBook(self.store, lexicon))

    def close(self) -> None:
        """Release the database and the alert log."""
        self.alert_log.close()
        self.store.close()

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

    def _load(self, path: Path, report: ScanReport) -> tuple[Article, FileId | None] | None:
        file_id = FileId.of(path)
        if file_id and self.store.file_seen(path.name, file_id.size, file_id.mtime_ns,
                                            file_id.ctime_ns):
            return None
        try:
            article = read_article(path, max_bytes=self.settings.max_article_bytes,
                                   today=self.today)
        except ArticleError as exc:
            self._reject(path.name, exc.reason, file_id, report)
            return None
        except (RecursionError, ValueError, LookupError, OSError) as exc:
            self._reject(path.name, f"unexpected error reading it: {type(exc).__name__}: {exc}",
                         file_id, report, error=True)
            return None
        return article, file_id

    def process(self, article: Article, report: ScanReport, file_id: FileId | None = None) -> None:
        """Extract, resolve and store one article and its alerts atomically.

        With `file_id`, the file is recorded in the same transaction, so a crash
        at any moment leaves it either fully processed or to be read again.
        """
        def record(outcome: str) -> None:
            if file_id:
                self.store.record_file(article.name, article.sha256, file_id.size,
                                       file_id.mtime_ns, outcome, ctime_ns=file_id.ctime_ns)

        if self.store.has_article(article.sha256):
            report.duplicates += 1
            log.info("duplicate content skipped", file=article.name)
            record("duplicate")
            return
        stages = self._stages  # one consistent set, even if a reload swaps them meanwhile
        queued = 0
        try:
            claims = stages.extractor.extract(article)
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
        self.alert_log.flush_from(self.store)
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

        When `stop` is set the remaining files are left alone (a later scan takes them).
        """
        report = ScanReport()
        loaded = []
        for path in paths:
            if stop is not None and stop.is_set():
                return report
            if (item := self._load(path, report)) is not None:
                loaded.append(item)
        loaded.sort(key=lambda item: (item[0].published, item[0].name))
        for done, (article, file_id) in enumerate(loaded, 1):
            if stop is not None and stop.is_set():
                break
            self.process(article, report, file_id)
            if progress:
                progress(done, len(loaded))
        return report


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
