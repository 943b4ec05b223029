"""Junk among good articles: each bad file gets one log line and one `monitor rejected` row,
every good one is processed, the daemon stays up and its memory stays bounded."""

from __future__ import annotations

import codecs
import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from tests.daemon_process import (
    DaemonProcess,
    alert_lines,
    monitor_cli,
    require_tool,
    wait_for,
    write_config,
)
from tests.writer import name, planned_article

pytestmark = pytest.mark.slow

MAX_BYTES = 1_000_000
MEMORY_LIMIT_KB = 120_000  # peak RSS; ~45 MB here. 55 MB of junk below must not be read


def _control_article(i: int) -> str:
    """Good, but full of characters that could break a JSON line or a terminal."""
    return (f" date 2025-03-10 President Amar {name(i, 1)} and Prime Minister Lena "
            f"{name(i, 2)} will meet in Geneva next week\x1b[2J\x1b]0;pwned\x07, officials "
            f"said\x9b31m.\r\nThe talks\u2028are\u202e expected\x85 to focus on trade.\n")


def _bad_files(folder: Path, outside: Path) -> dict[str, str]:
    """Write the bad files that can exist before the daemon starts; {name: reason regex}."""
    bad: dict[str, str] = {}

    def put(file: str, data: bytes, reason: str) -> None:
        (folder / file).write_bytes(data)
        bad[file] = re.escape(reason)

    put("empty.txt", b"", "empty file")
    put("blank.md", b"  \n\t\n", "empty file")
    put("binary.txt", os.urandom(3000) + b"\x00", "binary content (NUL bytes); expected UTF-8 "
        "text")
    put("latin1.txt", " date 2025-03-10 Caf\u00e9 talks".encode("latin-1"),
        "not valid UTF-8 (byte 20)")
    put("nul.md", b"The talks will resume\x00 next week.", "binary content (NUL bytes); "
        "expected UTF-8 text")
    put("bad-bom.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "not valid UTF-16 (byte 2) after its "
        "byte-order mark")
    put("bad-date.txt", b" date 2025-13-40 The talks will resume.",
        "malformed date '2025-13-40' (month must be in 1..12)")
    put("future.txt", b" date 2999-01-01 The talks will resume.", "")
    bad["future.txt"] = r"date 2999-01-01 is in the future \(today is \d{4}-\d\d-\d\d\)"
    put("bad.json", b'{"text": "The talks" "published": "2025-03-10"}',
        "malformed JSON: Expecting ',' delimiter at line 1")
    put("deep.json", b"[" * 200_000, "malformed JSON: nested too deeply")
    put("array.json", b'["The talks will resume"]',
        "JSON article needs an object with a string 'text'")
    put("page.txt", b"<!DOCTYPE html>\n<html><body><p>Talks will resume.</p></body></html>",
        "an HTML page, not article text; save the article's text as .txt, or as .json with "
        "a 'text' field")
    put("page.html", b"<html><body>Talks</body></html>",
        "unsupported file type '.html'; expected one of .txt, .md, .json")
    put("README", b"just a note", "unsupported file type '(none)'; expected one of .txt, .md, "
        ".json")
    put("evil\x1b[31m\n.pdf", b"%PDF", "unsupported file type '.pdf'; expected one of .txt, .md, "
        ".json")
    put("header-only.txt", b" date 2025-03-10 ", "no article text")
    with open(folder / "huge.txt", "wb") as f:  # 50 MB
        f.write((b"The talks will resume next week. " * 32768)[:1 << 20] * 50)
    bad["huge.txt"] = re.escape(f"too large (52428800 bytes; max_article_bytes is {MAX_BYTES})")
    put("one-line.txt", b"talks " * ((5 << 20) // 6), "")
    size = (folder / "one-line.txt").stat().st_size
    bad["one-line.txt"] = re.escape(f"too large ({size} bytes; max_article_bytes is {MAX_BYTES})")
    (folder / "unreadable.txt").write_text(planned_article(90))
    (folder / "unreadable.txt").chmod(0)
    bad["unreadable.txt"] = "permission denied"
    (folder / "x.txt").mkdir()
    bad["x.txt"] = "a directory, not a file"
    (outside / "secret.txt").write_text(planned_article(91))
    (folder / "leak.txt").symlink_to(outside / "secret.txt")
    bad["leak.txt"] = re.escape(f"symlink pointing outside its folder (to {outside}/secret.txt)")
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    bad["dangling.txt"] = re.escape(f"dangling symlink (to {folder}/nowhere.txt)")
    (folder / "loop.txt").symlink_to("loop.txt")
    bad["loop.txt"] = "symlink loop"
    os.mkfifo(folder / "pipe.txt")
    bad["pipe.txt"] = re.escape("not a regular file (a named pipe)")
    return bad


def _good_files(folder: Path, first: int) -> list[str]:
    """Write good articles (each one new `planned` story); their names."""
    names = []
    for i in range(first, first + 5):
        (folder / f"good-{i}.txt").write_text(planned_article(i))
        names.append(f"good-{i}.txt")
    (folder / f"utf16-{first}.txt").write_bytes(planned_article(first + 5).encode("utf-16"))
    (folder / f"crlf-{first}.md").write_bytes(planned_article(first + 6).replace(
        "\n", "\r\n").encode())
    (folder / f"controls-{first}.txt").write_text(_control_article(first + 7))
    (folder / f"steer-{first}.json").write_text(json.dumps({
        "text": planned_article(first + 8).split(" ", 3)[3], "published": "2025-03-10",
        "url": "file:///etc/shadow", "path": "/etc/passwd", "name": "../../../etc/passwd"}))
    undated = folder / f"undated-{first}.txt"
    undated.write_text(planned_article(first + 9).split(" ", 3)[3])
    os.utime(undated, (4102444800, 4102444800))  # a file date in 2100: capped at today
    return names + [f"utf16-{first}.txt", f"crlf-{first}.md", f"controls-{first}.txt",
                    f"steer-{first}.json", f"undated-{first}.txt"]


def _peak_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_bad_files_are_rejected_one_line_each_and_good_ones_processed(tmp_path: Path) -> None:
    # root reads files without read permission: drop that capability for the daemon
    prefix = [require_tool("setpriv"), "--bounding-set", "-dac_override,-dac_read_search",
              "--"] if os.geteuid() == 0 else []
    watch, state, outside = tmp_path / "in", tmp_path / "state", tmp_path / "outside"
    watch.mkdir()
    outside.mkdir()
    config = write_config(tmp_path / "monitor.toml", max_article_bytes=MAX_BYTES)
    bad = _bad_files(watch, outside)
    good = _good_files(watch, 1)  # these are there before the daemon starts: catch-up
    daemon = DaemonProcess(config, prefix=prefix).start()
    try:
        assert wait_for(lambda: daemon.running(state))
        good += _good_files(watch, 20)  # these arrive while it watches
        with open(watch / "vanished.txt", "w") as f:  # written, then deleted before its close
            f.write(planned_article(92))
            f.flush()
            time.sleep(0.3)
            os.unlink(watch / "vanished.txt")
        bad["vanished.txt"] = re.escape("file vanished before it could be read")
        with open(watch / "still-writing.json", "w") as f:  # a writer stalls mid-file
            f.write('{"published": "2025-03-10", "text": "President Amar ')
            f.flush()
            time.sleep(1.0)  # five settle windows
            f.write(f'{name(93, 1)} and Prime Minister Lena {name(93, 2)} will meet in Geneva '
                    'next week."}')
        good.append("still-writing.json")

        expected_alerts = len(good)
        assert wait_for(lambda: len(alert_lines(state)) >= expected_alerts, timeout=30)
        assert wait_for(lambda: len(json.loads(
            monitor_cli(config, "rejected", "--json").stdout)) >= len(bad), timeout=30)
        time.sleep(1.5)  # three more reconcile scans: nothing is rejected twice

        rows = json.loads(monitor_cli(config, "rejected", "--json").stdout)
        assert sorted(r["file"] for r in rows) == sorted(bad), "one row per bad file"
        for row in rows:
            assert re.fullmatch(bad[row["file"]], row["reason"]), row
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["at"])
        lines = daemon.events("article rejected")
        assert sorted(e["file"] for e in lines) == sorted(bad), "one log line per bad file"
        assert all(e["level"] == "warning" and e["reason"] for e in lines)

        alerts = alert_lines(state)
        assert sorted(a["evidence"]["article"] for a in alerts) == sorted(good)
        assert {a["to"] for a in alerts} == {"planned"}
        assert monitor_cli(config, "health").returncode == 0
        assert daemon.proc is not None and daemon.proc.poll() is None
        assert _peak_memory_kb(daemon.pid) < MEMORY_LIMIT_KB

        table = monitor_cli(config, "rejected")
        assert table.stdout.splitlines()[0].split() == ["AT", "FILE", "REASON"]
        assert len(table.stdout.splitlines()) == len(bad) + 1
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", table.stdout)

        (watch / "unreadable.txt").chmod(0o644)  # fixed: read again at the next scan
        assert wait_for(lambda: len(alert_lines(state)) == expected_alerts + 1)
        assert daemon.stop() == 0
    finally:
        daemon.kill()


def test_control_characters_break_neither_a_json_line_nor_a_terminal_table(
        tmp_path: Path) -> None:
    watch, state = tmp_path / "in", tmp_path / "state"
    watch.mkdir()
    config = write_config(tmp_path / "monitor.toml")
    (watch / "controls.txt").write_text(_control_article(1))
    (watch / "other.txt").write_text(_control_article(2))
    assert monitor_cli(config, "scan", str(watch)).returncode == 0
    raw = (state / "alerts.jsonl").read_text(encoding="utf-8")
    assert raw.count("\n") == 2 and len(raw.splitlines()) == 2  # no U+2028/U+0085 break
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e]", raw.replace("\n", ""))
    alerts = [json.loads(line) for line in raw.splitlines()]
    assert "\x1b[2J" in alerts[0]["evidence"]["text"]  # kept, escaped, in the JSON
    for command in (["stories"], ["alerts"], ["history", name(1, 1)], ["rejected"]):
        out = monitor_cli(config, *command)
        assert out.returncode == 0, out.stderr
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202e]", out.stdout), \
            command


def test_a_daemon_log_line_stays_one_line_whatever_the_file_name(tmp_path: Path) -> None:
    watch = tmp_path / "in"
    watch.mkdir()
    config = write_config(tmp_path / "monitor.toml")
    (watch / "two\nlines\x1b[31m.txt").write_text("")
    daemon = DaemonProcess(config).start()
    try:
        assert wait_for(lambda: daemon.events("article rejected"))
        daemon.signal(signal.SIGTERM)
        assert daemon.proc is not None and daemon.proc.wait(15) == 0
    finally:
        daemon.kill()
    text = daemon.log_path.read_text()
    assert "\x1b" not in text
    assert [e["file"] for e in daemon.events("article rejected")] == ["two\nlines\x1b[31m.txt"]
