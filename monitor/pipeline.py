"""Pipeline: one article through every stage, in one transaction.

    file -> articles.read_article -> extract -> stories -> store -> alerts log
                                                                 -> webhook outbox
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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


class Monitor:
    """The stages wired together over one state directory."""

    def __init__(self, settings: Settings, lexicon: Lexicon | None = None) -> None:
        self.settings = settings
        self.lexicon = lexicon or load_lexicon(settings.watchlist, settings.places,
                                               settings.lexicon_dir)
        self.extractor = ClaimExtractor(self.lexicon)
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
        self.store = Store(settings.db_path)
        self.book = StoryBook(self.store, self.lexicon)
        self.alert_log = AlertLog(settings.alert_log)
        self.alert_log.flush_from(self.store)
        self.outbox = Outbox(self.store.db, settings.webhooks)
        self.outbox.register()
        # called after a transaction that queued webhook deliveries has committed
        self.on_queued: Callable[[], None] | None = None

    def close(self) -> None:
        """Release the database and the alert log."""
        self.alert_log.close()
        self.store.close()

    def _load(self, path: Path, report: ScanReport) -> Article | None:
        try:
            stat = path.stat()
        except OSError:
            stat = None
        if stat and self.store.file_seen(path.name, stat.st_size, stat.st_mtime_ns):
            return None
        try:
            article = read_article(path, max_bytes=self.settings.max_article_bytes)
        except ArticleError as exc:
            log.warning("article rejected", file=path.name, reason=exc.reason)
            with self.store.transaction():
                self.store.reject(path.name, exc.reason)
                if stat:
                    self.store.record_file(path.name, "", stat.st_size, stat.st_mtime_ns,
                                           "rejected", exc.reason)
            report.rejected += 1
            return None
        if stat:
            self.store.record_file(path.name, article.sha256, stat.st_size, stat.st_mtime_ns,
                                   "read")
        return article

    def process(self, article: Article, report: ScanReport) -> None:
        """Extract, resolve and store one article and its alerts atomically."""
        if self.store.has_article(article.sha256):
            report.duplicates += 1
            log.info("duplicate content skipped", file=article.name)
            return
        claims = self.extractor.extract(article)
        queued = 0
        with self.store.transaction():
            alerts = self.book.apply(article, claims)
            for alert in alerts:
                if self.store.add_alert(alert.id, alert.story_id, alert.body):
                    queued += self.outbox.enqueue(alert.id, alert.story_id, alert.body)
            self.store.add_article(article.sha256, article.name, article.published.isoformat(),
                                   article.dated, len(claims))
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
                      progress: Callable[[int, int], None] | None = None) -> ScanReport:
        """Process files in publication order (then by name); bad files are logged and skipped."""
        report = ScanReport()
        articles = [a for p in paths if (a := self._load(p, report)) is not None]
        articles.sort(key=lambda a: (a.published, a.name))
        for done, article in enumerate(articles, 1):
            self.process(article, report)
            if progress:
                progress(done, len(articles))
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
