"""Reading files defensively: every kind of junk gets one clear reason, good files are read."""

from __future__ import annotations

import json
import os
import threading
from datetime import date
from pathlib import Path

import pytest

from monitor.articles import read_article
from monitor.errors import ArticleError

MAX = 100_000
TODAY = date(2025, 3, 20)
GOOD = " date 2025-03-10 Ana Duarte and Lena Vossberg will meet in Geneva next week.\n"


def reason(path: Path, max_bytes: int = MAX) -> str:
    with pytest.raises(ArticleError) as caught:
        read_article(path, max_bytes=max_bytes, today=TODAY)
    return caught.value.reason


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "in"
    path.mkdir()
    return path


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t\n", "empty file"),
    ("binary.txt", bytes(range(256)) * 4, "binary content (NUL bytes); expected UTF-8 text"),
    ("latin1.txt", "Caf\u00e9 talks will resume".encode("latin-1"), "not valid UTF-8 (byte 3)"),
    ("nul.txt", b"Talks will resume\x00 tomorrow",
     "binary content (NUL bytes); expected UTF-8 text"),
    ("bad-date.txt", b" date 2025-02-30 The talks will resume.", "malformed date '2025-02-30' "
     "(day is out of range for month)"),
    ("word-date.txt", b" date yesterday The talks will resume.",
     "malformed date 'yesterday' (expected YYYY-MM-DD)"),
    ("future.txt", b" date 2025-03-22 The talks will resume.",
     "date 2025-03-22 is in the future (today is 2025-03-20)"),
    ("bad.json", b'{"text": "unterminated', "malformed JSON: Unterminated string starting at "
     "at line 1"),
    ("deep.json", b"[" * 100_000, "malformed JSON: nested too deeply"),
    ("list.json", b'["text"]', "JSON article needs an object with a string 'text'"),
    ("page.txt", b"<!DOCTYPE html><html><body><p>Talks will resume.</p></body></html>",
     "an HTML page, not article text; save the article's text as .txt, or as .json with a "
     "'text' field"),
    ("header-only.txt", b" date 2025-03-10 ", "no article text"),
    ("slides.pdf", b"%PDF-1.4", "unsupported file type '.pdf'; expected one of .txt, .md, .json"),
    ("bad-bom.txt", b"\xff\xfe\x00\xd8", "not valid UTF-16 (byte 2) after its byte-order mark"),
])
def test_junk_is_refused_with_a_reason(folder: Path, name: str, data: bytes,
                                       expected: str) -> None:
    (folder / name).write_bytes(data)
    assert reason(folder / name) == expected


def test_too_large_is_refused(folder: Path) -> None:
    (folder / "big.txt").write_bytes(b"word " * 20_001)
    assert reason(folder / "big.txt") == "too large (100005 bytes; max_article_bytes is 100000)"


def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded(folder: Path) -> None:
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        data = GOOD.encode(codec)
        if codec == "utf-16-be":
            data = b"\xfe\xff" + data
        (folder / f"{codec}.txt").write_bytes(data)
        article = read_article(folder / f"{codec}.txt", max_bytes=MAX, today=TODAY)
        assert article.published == date(2025, 3, 10)
        assert article.text.startswith("Ana Duarte and Lena Vossberg will meet")


def test_tomorrow_is_accepted_and_an_undated_future_mtime_is_capped(folder: Path) -> None:
    (folder / "tomorrow.txt").write_text(GOOD.replace("2025-03-10", "2025-03-21"))
    assert read_article(folder / "tomorrow.txt", max_bytes=MAX,
                        today=TODAY).published == date(2025, 3, 21)
    (folder / "undated.txt").write_text("Ana Duarte will visit Geneva.")
    os.utime(folder / "undated.txt", (4102444800, 4102444800))  # 2100-01-01
    assert read_article(folder / "undated.txt", max_bytes=MAX, today=TODAY).published == TODAY


def test_directory_named_like_an_article(folder: Path) -> None:
    (folder / "x.txt").mkdir()
    assert reason(folder / "x.txt") == "a directory, not a file"


def test_vanished_file(folder: Path) -> None:
    assert reason(folder / "gone.txt") == "file vanished before it could be read"


def test_named_pipe_is_refused_without_blocking(folder: Path) -> None:
    os.mkfifo(folder / "pipe.txt")
    done = threading.Event()
    result: list[str] = []

    def read() -> None:
        result.append(reason(folder / "pipe.txt"))
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(5), "reading a named pipe blocked"
    assert result == ["not a regular file (a named pipe)"]


def test_symlinks_are_followed_only_within_their_folder(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(GOOD)
    (folder / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "real.txt").write_text(GOOD)
    (folder / "alias.txt").symlink_to("real.txt")
    (folder / "dangling.txt").symlink_to(folder / "missing.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    assert reason(folder / "leak.txt") == \
        f"symlink pointing outside its folder (to {tmp_path / 'secret.txt'})"
    assert reason(folder / "dangling.txt") == f"dangling symlink (to {folder / 'missing.txt'})"
    assert reason(folder / "loop.txt") == "symlink loop"
    assert read_article(folder / "alias.txt", max_bytes=MAX, today=TODAY).name == "alias.txt"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission; "
                    "tests/test_bad_input.py covers this with the daemon's privileges dropped")
def test_unreadable_file(folder: Path) -> None:
    (folder / "secret.txt").write_text(GOOD)
    (folder / "secret.txt").chmod(0)
    assert reason(folder / "secret.txt") == "permission denied"


def test_fields_of_a_json_article_steer_no_file_access(folder: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "trap")  # opening it would block
    (folder / "a.json").write_text(json.dumps({
        "text": "Ana Duarte will visit Geneva.", "published": "2025-03-10",
        "url": f"file://{tmp_path}/trap", "path": str(tmp_path / "trap"), "name": "../../x.txt",
        "title": "../trap"}))
    article = read_article(folder / "a.json", max_bytes=MAX, today=TODAY)
    assert article.name == "a.json"
    assert article.url == f"file://{tmp_path}/trap"
