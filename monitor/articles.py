"""Articles: turn a file of the watched folder into an `Article`.

Text files (.txt, .md) may start with a ` date YYYY-MM-DD ` header, the
article following on the same line; .json files hold an object with `text`
and optional `title`, `published` and `url`. An undated article takes its
file's modification time.

Reading is defensive: a file is opened without following a final symlink (a
symlink is read only if it points at a file in its own folder), never blocks
on a named pipe, and is read no further than `max_bytes`. Text is UTF-8, or
UTF-16/UTF-32 when the file starts with that encoding's byte-order mark.
Every refusal is an ArticleError with a reason a user can act on.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from monitor.errors import ArticleError

SUFFIXES = (".txt", ".md", ".json")
_HEADER = re.compile(r"^\ufeff?\s*date\s+(\S+)\s?")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_HTML_START = re.compile(r"^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
# byte-order marks we decode by; UTF-32 first, its LE mark starts with UTF-16's
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
FUTURE_TOLERANCE = timedelta(days=1)
_READ_CHUNK = 1 << 16


@dataclass(frozen=True)
class Article:
    """One article, its publication date and the hash of its bytes."""

    name: str
    text: str
    published: date
    dated: bool
    sha256: str
    title: str | None = None
    url: str | None = None


def content_hash(data: bytes) -> str:
    """The identity of a file's content: the same bytes under any name are one article."""
    return hashlib.sha256(data).hexdigest()


def _parse_date(value: str, path: Path) -> date:
    match = _ISO_DATE.match(value.strip())
    if not match:
        raise ArticleError(path, f"malformed date {value!r} (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(match.group(1))
    except ValueError as exc:
        raise ArticleError(path, f"malformed date {value!r} ({exc})") from exc


def _file_date(path: Path) -> date:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()


def _today() -> date:
    return datetime.now(UTC).date()


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 text, or UTF-16/32 announced by a byte-order mark; no NUL characters."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ArticleError(path, f"not valid {codec.upper()} (byte {exc.start}) "
                                         "after its byte-order mark") from exc
            break
    else:
        if b"\x00" in data:
            raise ArticleError(path, "binary content (NUL bytes); expected UTF-8 text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError(path, f"not valid UTF-8 (byte {exc.start})") from exc
    if "\x00" in text:
        raise ArticleError(path, "binary content (NUL characters); expected text")
    return text.lstrip("\ufeff")


def parse_article(path: Path, data: bytes, *, mtime_date: date | None = None,
                  today: date | None = None) -> Article:
    """Parse the bytes of `path` into an Article, or raise ArticleError saying why not.

    A publication date more than a day after `today` (default: the UTC date now)
    is refused; an undated article's file date is capped at `today`.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleError(path, f"unsupported file type {suffix or '(none)'!r}; "
                                 f"expected one of {', '.join(SUFFIXES)}")
    if not data.strip():
        raise ArticleError(path, "empty file")
    raw = _decode(path, data)
    if not raw.strip():
        raise ArticleError(path, "empty file")
    sha = content_hash(data)
    title = url = None
    published: date | None = None
    if suffix == ".json":
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ArticleError(path, f"malformed JSON: {exc.msg} at line {exc.lineno}") from exc
        except RecursionError as exc:
            raise ArticleError(path, "malformed JSON: nested too deeply") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise ArticleError(path, "JSON article needs an object with a string 'text'")
        text = obj["text"]
        title = obj.get("title") if isinstance(obj.get("title"), str) else None
        url = obj.get("url") if isinstance(obj.get("url"), str) else None
        if obj.get("published") is not None:
            published = _parse_date(str(obj["published"]), path)
    else:
        text = raw
        header = _HEADER.match(text)
        if header:
            published = _parse_date(header.group(1), path)
            text = text[header.end():]
    if not text.strip():
        raise ArticleError(path, "no article text")
    if _HTML_START.match(text):
        raise ArticleError(path, "an HTML page, not article text; save the article's text "
                                 "as .txt, or as .json with a 'text' field")
    today = today or _today()
    dated = published is not None
    if published is None:
        published = min(mtime_date or _file_date(path), today)
    elif published > today + FUTURE_TOLERANCE:
        raise ArticleError(path, f"date {published.isoformat()} is in the future "
                                 f"(today is {today.isoformat()})")
    return Article(name=path.name, text=text, published=published, dated=dated,
                   sha256=sha, title=title, url=url)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "not a regular file (a named pipe)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    return "not a regular file"


def _target_in_folder(path: Path) -> Path:
    """The file a symlink points at, if it is in the symlink's own folder."""
    folder = os.path.realpath(path.absolute().parent)
    target = os.path.realpath(path)
    if not os.path.lexists(target):
        raise ArticleError(path, f"dangling symlink (to {target})")
    if os.path.islink(target):
        raise ArticleError(path, "symlink loop")
    if os.path.dirname(target) != folder:
        raise ArticleError(path, f"symlink pointing outside its folder (to {target})")
    return Path(target)


def _read_bounded(fd: int, max_bytes: int, path: Path) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := os.read(fd, min(_READ_CHUNK, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise ArticleError(path, f"too large (more than {max_bytes} bytes; "
                                     f"max_article_bytes is {max_bytes})")
    return b"".join(chunks)


def read_bytes(path: Path, *, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, at most max_bytes, and its stat; raises ArticleError.

    Symlinks are followed only to a file in the same folder; named pipes, devices
    and directories are refused without blocking.
    """
    try:
        st = os.lstat(path)
        target = _target_in_folder(path) if stat.S_ISLNK(st.st_mode) else path
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
        fd = os.open(target, flags)
    except FileNotFoundError as exc:
        raise ArticleError(path, "file vanished before it could be read") from exc
    except PermissionError as exc:
        raise ArticleError(path, "permission denied") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a symlink after it was checked
            raise ArticleError(path, "symlink appeared while reading; not followed") from exc
        raise ArticleError(path, f"cannot read: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ArticleError(path, _kind(st.st_mode))
        if st.st_size > max_bytes:
            raise ArticleError(path, f"too large ({st.st_size} bytes; "
                                     f"max_article_bytes is {max_bytes})")
        try:
            return _read_bounded(fd, max_bytes, path), st
        except OSError as exc:
            raise ArticleError(path, f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def read_article(path: Path, *, max_bytes: int, today: date | None = None) -> Article:
    """Read and parse one file; every failure is an ArticleError with a clear reason."""
    data, st = read_bytes(path, max_bytes=max_bytes)
    mtime = datetime.fromtimestamp(st.st_mtime, tz=UTC).date()
    return parse_article(path, data, mtime_date=mtime, today=today)


_PEEK_BYTES = 512


def _header_date(head: bytes, complete: bool, path: Path, mtime: float,
                 today: date) -> date | None:
    """The date parse_article gives text starting with `head`, or None if it cannot tell.

    `complete` says `head` is the whole file. Only a verdict the rest of the file
    cannot change is returned: a header that ends inside `head` with a date that is
    not refused, or a first word that is not "date" (then the file's date). Anything
    parse_article might reject or decode differently is left to it (None).
    """
    if head.startswith(tuple(bom for bom, _ in _BOMS)) or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if complete or exc.reason != "unexpected end of data":
            return None
        text = head[:exc.start].decode("utf-8")
    text = text.lstrip("\ufeff")
    header = _HEADER.match(text)
    if header:
        if header.end() >= len(text) and not complete:
            return None  # the date or the space after it may go on past `head`
        try:
            published = _parse_date(header.group(1), path)
        except ArticleError:
            return None
        return published if published <= today + FUTURE_TOLERANCE else None
    rest = text.lstrip()
    if not complete and not (len(rest) >= 4 and rest[:4] != "date"
                             or len(rest) >= 5 and not rest[4].isspace()):
        return None  # a "date" header may still complete past `head`
    return min(datetime.fromtimestamp(mtime, tz=UTC).date(), today)


def publication_date(path: Path, *, max_bytes: int, today: date | None = None) -> date:
    """The `published` date of read_article(path), reading only the head of a text file.

    Ordering a large batch needs every file's date before any article is read in
    full, and a text file's date is in its first line. JSON files, symlinks and
    anything unusual are read in full; whatever read_article would reject raises
    its ArticleError. The date only orders the batch: the article is read again,
    in full, when its turn comes.
    """
    today = today or _today()
    if path.suffix.lower() in (".txt", ".md"):
        try:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_size <= max_bytes:
                flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
                fd = os.open(path, flags)
                try:
                    head = os.read(fd, _PEEK_BYTES) if stat.S_ISREG(os.fstat(fd).st_mode) \
                        else None
                finally:
                    os.close(fd)
                found = None if head is None else _header_date(
                    head, len(head) < _PEEK_BYTES, path, st.st_mtime, today)
                if found is not None:
                    return found
        except OSError:
            pass  # read_article says why
    return read_article(path, max_bytes=max_bytes, today=today).published
