"""Articles: turn a file of the watched folder into an `Article`.

Text files (.txt, .md) may start with a ` date YYYY-MM-DD ` header, the
article following on the same line; .json files hold an object with `text`
and optional `title`, `published` and `url`. An undated article takes its
file's modification time.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from monitor.errors import ArticleError

SUFFIXES = (".txt", ".md", ".json")
_HEADER = re.compile(r"^\ufeff?\s*date\s+(\S+)\s?")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


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


def parse_article(path: Path, data: bytes, *, mtime_date: date | None = None) -> Article:
    """Parse the bytes of `path` into an Article, or raise ArticleError saying why not."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleError(path, f"unsupported file type {suffix or '(none)'!r}; "
                                 f"expected one of {', '.join(SUFFIXES)}")
    if not data.strip():
        raise ArticleError(path, "empty file")
    if b"\x00" in data:
        raise ArticleError(path, "binary content (NUL bytes); expected UTF-8 text")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(path, f"not valid UTF-8 (byte {exc.start})") from exc
    raw = raw.lstrip("\ufeff")
    sha = content_hash(data)
    title = url = None
    published: date | None = None
    if suffix == ".json":
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ArticleError(path, f"malformed JSON: {exc.msg} at line {exc.lineno}") from exc
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
    dated = published is not None
    if published is None:
        published = mtime_date or _file_date(path)
    return Article(name=path.name, text=text, published=published, dated=dated,
                   sha256=sha, title=title, url=url)


def read_article(path: Path, *, max_bytes: int) -> Article:
    """Read and parse one file; every failure is an ArticleError with a clear reason."""
    try:
        if not path.is_file():
            raise ArticleError(path, "not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(path, f"too large ({size} bytes; max_article_bytes is {max_bytes})")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ArticleError(path, "file vanished before it could be read") from exc
    except PermissionError as exc:
        raise ArticleError(path, "permission denied") from exc
    except OSError as exc:
        raise ArticleError(path, f"cannot read: {exc.strerror or exc}") from exc
    return parse_article(path, data)
