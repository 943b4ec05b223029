"""Tests for monitor.ingest with a real watchdog observer on a tmp folder."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.ingest import FolderWatcher, IngestError, list_articles
from tests.conftest import wait_for

SETTLE = 0.3
OBSERVERS = ["inotify", "polling"]


class Recorder:
    """An on_ready callback that records batches, contents and calling threads."""

    def __init__(self, fail_first: int = 0) -> None:
        self.lock = threading.Lock()
        self.batches: list[list[str]] = []
        self.contents: dict[str, list[bytes]] = {}
        self.threads: set[int] = set()
        self.active = 0
        self.max_active = 0
        self.fail_left = fail_first

    def __call__(self, paths: list[Path]) -> None:
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.threads.add(threading.get_ident())
        try:
            with self.lock:
                if self.fail_left > 0:
                    self.fail_left -= 1
                    raise RuntimeError("consumer failed")
            time.sleep(0.01)  # widen the window for concurrent calls
            with self.lock:
                self.batches.append([p.name for p in paths])
                for p in paths:
                    self.contents.setdefault(p.name, []).append(p.read_bytes())
        finally:
            with self.lock:
                self.active -= 1

    def names(self) -> set[str]:
        with self.lock:
            return set(self.contents)

    def count(self, name: str) -> int:
        with self.lock:
            return len(self.contents.get(name, []))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


@pytest.fixture
def make_watcher() -> Iterator[Callable[..., FolderWatcher]]:
    watchers: list[FolderWatcher] = []

    def make(folder: Path, on_ready: Callable[[list[Path]], None], **kwargs) -> FolderWatcher:
        kwargs.setdefault("settle_seconds", SETTLE)
        watcher = FolderWatcher(folder, on_ready, **kwargs)
        watchers.append(watcher)
        return watcher

    yield make
    for watcher in watchers:
        watcher.stop()


@pytest.mark.parametrize("observer", OBSERVERS)
def test_file_written_in_place_is_delivered_complete(folder, make_watcher, observer):
    rec = Recorder()
    make_watcher(folder, rec, observer=observer).start()
    half = b"2025-10-21 Trump and Putin will meet in Budapest. " * 50
    with open(folder / "a.txt", "wb") as fh:
        fh.write(half)
        fh.flush()
        time.sleep(SETTLE / 3)  # a pause shorter than the settle window
        fh.write(half)
    assert wait_for(lambda: rec.count("a.txt") >= 1)
    time.sleep(SETTLE + 0.6)  # room for a wrong second delivery
    assert rec.contents["a.txt"] and all(c == half * 2 for c in rec.contents["a.txt"])
    if observer == "inotify":
        assert rec.count("a.txt") == 1


@pytest.mark.parametrize("observer", OBSERVERS)
def test_atomic_rename_is_delivered(folder, make_watcher, observer, tmp_path):
    rec = Recorder()
    make_watcher(folder, rec, observer=observer).start()
    (folder / ".b.txt.incoming").write_text("renamed from a dot-file")
    os.replace(folder / ".b.txt.incoming", folder / "b.txt")
    (tmp_path / "c.json").write_text('{"text": "renamed from outside"}')
    os.replace(tmp_path / "c.json", folder / "c.json")
    assert wait_for(lambda: rec.names() == {"b.txt", "c.json"})
    assert rec.contents["b.txt"][0] == b"renamed from a dot-file"
    assert rec.contents["c.json"][0] == b'{"text": "renamed from outside"}'


def test_burst_of_200_files_in_few_batches_from_one_thread(folder, make_watcher):
    rec = Recorder()
    make_watcher(folder, rec, observer="inotify").start()
    names = {f"{i:04d}.txt" for i in range(200)}
    for name in sorted(names):
        (folder / name).write_text(f"article {name}")
    assert wait_for(lambda: rec.names() == names)
    time.sleep(SETTLE + 0.2)
    assert all(rec.count(name) == 1 for name in names)
    assert len(rec.batches) <= 50  # batched, not one round per file (loose for a busy CI box)
    assert all(batch == sorted(batch) for batch in rec.batches)
    assert rec.max_active == 1
    assert len(rec.threads) == 1 and threading.get_ident() not in rec.threads


def test_catch_up_scan_delivers_existing_files_before_start_returns(folder, make_watcher):
    old = time.time() - 3600
    for name in ["b.txt", "a.md", "c.json"]:
        (folder / name).write_text(name)
        os.utime(folder / name, (old, old))
    (folder / "d.txt").write_text("just written")  # fresh: waits for the settle window
    (folder / ".hidden.txt").write_text("hidden")
    rec = Recorder()
    watcher = make_watcher(folder, rec, observer="inotify")
    assert watcher.last_reconcile is None
    watcher.start()
    assert rec.names() == {"a.md", "b.txt", "c.json", "d.txt"}
    assert rec.batches[0] == ["a.md", "b.txt", "c.json"]
    assert threading.get_ident() not in rec.threads
    assert watcher.last_reconcile is not None


@pytest.mark.parametrize("observer", OBSERVERS)
def test_reconcile_now_redelivers_after_on_ready_raised(folder, make_watcher, observer):
    rec = Recorder(fail_first=1)
    watcher = make_watcher(folder, rec, observer=observer)
    watcher.start()
    first_reconcile = watcher.last_reconcile
    (folder / "lost.txt").write_text("the consumer failed on this one")
    assert wait_for(lambda: rec.fail_left == 0)
    time.sleep(SETTLE + 0.2)
    assert rec.count("lost.txt") == 0  # no event will bring it back
    watcher.reconcile_now()
    assert wait_for(lambda: rec.count("lost.txt") == 1)
    assert wait_for(lambda: watcher.last_reconcile != first_reconcile)


def test_periodic_reconcile_picks_up_missed_file(folder, make_watcher):
    rec = Recorder(fail_first=1)
    watcher = make_watcher(folder, rec, observer="inotify", reconcile_seconds=0.5)
    watcher.start()
    (folder / "missed.txt").write_text("delivered by the scheduler")
    assert wait_for(lambda: rec.count("missed.txt") >= 1, timeout=3.0)
    assert rec.fail_left == 0


def test_on_ready_raising_does_not_stop_later_deliveries(folder, make_watcher):
    rec = Recorder(fail_first=2)
    make_watcher(folder, rec, observer="inotify").start()
    (folder / "one.txt").write_text("1")
    assert wait_for(lambda: rec.fail_left == 1)
    (folder / "two.txt").write_text("2")
    assert wait_for(lambda: rec.fail_left == 0)
    (folder / "three.txt").write_text("3")
    assert wait_for(lambda: rec.names() == {"three.txt"})


def test_hidden_temp_and_nested_files_are_ignored(folder, make_watcher):
    rec = Recorder()
    watcher = make_watcher(folder, rec, observer="inotify")
    watcher.start()
    for name in [".hidden.txt", "a.tmp", "b.part", "c.swp", "d.txt~", "E.TMP"]:
        (folder / name).write_text("ignore me")
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.txt").write_text("ignore me too")
    (folder / "ok.txt").write_text("take me")
    assert wait_for(lambda: "ok.txt" in rec.names())
    watcher.reconcile_now()
    time.sleep(SETTLE + 0.3)
    assert rec.names() == {"ok.txt"}


def test_list_articles_lists_what_the_reader_must_judge(folder, tmp_path):
    """Symlinks and article-named folders are listed: the reader rejects them with a reason."""
    (folder / "b.txt").write_text("b")
    (folder / "a.json").write_text("{}")
    (folder / ".x").write_text("hidden")
    (folder / "y.part").write_text("temp")
    (folder / "sub").mkdir()
    (folder / "x.txt").mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    (folder / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "alias.txt").symlink_to(folder / "b.txt")
    (folder / "dangling.txt").symlink_to(folder / "missing.txt")
    assert list_articles(folder) == [folder / name for name in [
        "a.json", "alias.txt", "b.txt", "dangling.txt", "leak.txt", "x.txt"]]


def test_stop_is_idempotent_and_stops_delivering(folder, make_watcher):
    rec = Recorder()
    watcher = make_watcher(folder, rec, observer="auto", reconcile_seconds=0.2)
    watcher.stop()  # before start: no-op
    watcher.start()
    watcher.stop()
    watcher.stop(timeout=0.1)
    assert not [t for t in threading.enumerate() if t.name == "ingest-worker"]
    (folder / "late.txt").write_text("after stop")
    time.sleep(SETTLE + 0.4)
    assert rec.names() == set()


def test_bad_configuration_raises_ingest_error(folder, tmp_path):
    with pytest.raises(IngestError):
        FolderWatcher(folder, print, observer="fsevents-please")
    with pytest.raises(IngestError):
        FolderWatcher(tmp_path / "missing", print).start()


def test_file_paused_mid_write_waits_for_its_close_with_inotify(folder, make_watcher):
    rec = Recorder()
    make_watcher(folder, rec, observer="inotify").start()
    with open(folder / "slow.json", "wb") as fh:
        fh.write(b'{"text": "first half, ')
        fh.flush()
        time.sleep(SETTLE * 4)  # a writer stalling longer than the settle window
        assert rec.count("slow.json") == 0
        fh.write(b'second half"}')
    assert wait_for(lambda: rec.count("slow.json") == 1)
    time.sleep(SETTLE + 0.3)
    assert rec.contents["slow.json"] == [b'{"text": "first half, second half"}']


def test_file_deleted_before_it_is_read_is_still_handed_over(folder, make_watcher):
    seen: list[tuple[str, bool]] = []
    make_watcher(folder, lambda paths: seen.extend(
        (p.name, p.exists()) for p in paths), observer="inotify", settle_seconds=1.0).start()
    with open(folder / "gone.txt", "w") as fh:
        fh.write("written, then deleted at once")
        fh.flush()
        os.unlink(folder / "gone.txt")  # before the close: still pending when it goes
    assert wait_for(lambda: seen == [("gone.txt", False)])


def test_problem_names_a_stopped_observer_and_a_stopped_watcher(folder, make_watcher):
    watcher = make_watcher(folder, Recorder(), observer="inotify")
    assert watcher.problem() == "the folder watcher is not running"
    watcher.start()
    assert watcher.problem() is None
    folder.rmdir()
    assert wait_for(lambda: watcher.problem() is not None)
    assert watcher.problem() == f"the file-system observer has stopped watching {folder}"
    watcher.stop()
    assert watcher.problem() == "the folder watcher is not running"


def test_file_deleted_before_its_close_is_handed_over_once(folder, make_watcher):
    seen: list[str] = []
    make_watcher(folder, lambda paths: seen.extend(p.name for p in paths),
                 observer="inotify").start()
    with open(folder / "gone.txt", "w") as fh:
        fh.write("written, then deleted before the close")
        fh.flush()
        time.sleep(0.2)  # the worker takes the deletion before the close arrives
        os.unlink(folder / "gone.txt")
        assert wait_for(lambda: seen == ["gone.txt"])
    time.sleep(SETTLE + 0.3)
    assert seen == ["gone.txt"]
