"""The pipeline on real SQLite: crash-safe bookkeeping, rejections, a failing article."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.pipeline import Monitor
from monitor.settings import load_settings
from tests.conftest import CONFIG
from tests.writer import planned_article, status_article


@pytest.fixture
def monitor(tmp_path: Path):  # noqa: ANN201
    settings = replace(load_settings(CONFIG), state_dir=tmp_path / "state",
                       watch_dir=tmp_path / "in")
    settings.watch_dir.mkdir()
    made = Monitor(settings)
    yield made
    made.close()


def _log_ids(monitor: Monitor) -> list[str]:
    lines = monitor.settings.alert_log.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    return [json.loads(line)["id"] for line in lines[:-1]]


def test_a_file_counts_as_seen_only_once_its_article_is_committed(monitor: Monitor) -> None:
    folder = monitor.settings.watch_dir
    paths = []
    for i in range(1, 5):
        (folder / f"{i}.txt").write_text(planned_article(i))
        paths.append(folder / f"{i}.txt")
    stop = threading.Event()
    first = monitor.process_paths(paths, progress=lambda done, total: stop.set(), stop=stop)
    assert first.processed == 1  # stopped after one article, like a crash after a commit
    rest = monitor.process_paths(paths)
    assert (rest.processed, rest.duplicates) == (3, 0)
    assert monitor.process_paths(paths).processed == 0
    assert len(_log_ids(monitor)) == 4


def test_rejected_files_get_one_row_each_and_are_not_read_again(monitor: Monitor) -> None:
    folder = monitor.settings.watch_dir
    (folder / "empty.txt").write_text("")
    (folder / "good.txt").write_text(planned_article(1))
    for _ in range(3):
        monitor.process_paths(sorted(folder.iterdir()))
    rows = monitor.store.rejected()
    assert [(r["name"], r["reason"]) for r in rows] == [("empty.txt", "empty file")]
    (folder / "empty.txt").write_text(planned_article(2))  # fixed: read again
    assert monitor.process_paths(sorted(folder.iterdir())).processed == 1


def test_an_article_that_breaks_extraction_is_rejected_and_the_rest_go_on(
        monitor: Monitor, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = monitor.settings.watch_dir
    for i in range(1, 4):
        (folder / f"{i}.txt").write_text(planned_article(i))
    real = monitor.extractor.extract

    def extract(article):  # noqa: ANN001, ANN202
        if article.name == "2.txt":
            raise RecursionError("maximum recursion depth exceeded")
        return real(article)

    monkeypatch.setattr(monitor.extractor, "extract", extract)
    report = monitor.process_paths(sorted(folder.iterdir()))
    assert (report.processed, report.rejected, len(report.alerts)) == (2, 1, 2)
    assert [(r["name"], r["reason"]) for r in monitor.store.rejected()] == [
        ("2.txt", "could not be processed: RecursionError: maximum recursion depth exceeded")]


def test_an_alert_line_cut_short_by_a_crash_is_rewritten_whole(monitor: Monitor) -> None:
    folder = monitor.settings.watch_dir
    (folder / "1.txt").write_text(status_article(1, "planned", "2025-03-10"))
    (folder / "2.txt").write_text(status_article(1, "postponed", "2025-03-12"))
    monitor.process_paths([folder / "1.txt", folder / "2.txt"])
    log = monitor.settings.alert_log
    whole = log.read_text(encoding="utf-8")
    first, second = whole.splitlines(keepends=True)
    # the crash: the second line half written, and not yet marked as logged
    log.write_text(first + second[: len(second) // 2], encoding="utf-8")
    monitor.store.db.execute("update alerts set logged = 0 where id = ?",
                             [json.loads(second)["id"]])
    monitor.store.db.conn.commit()
    monitor.close()
    again = Monitor(monitor.settings)
    try:
        assert log.read_text(encoding="utf-8") == whole
    finally:
        again.close()
