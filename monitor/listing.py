"""Listings: the stories table read straight from monitor.db with the sqlite3 module.

`monitor stories` has to answer at once on a store of 100,000 stories. Reading
needs no migration, so this module does without sqlite-utils (a tenth of a
second to import) and the Store. This is the one query that lists stories with
their evidence; SQLite itself formats the table's lines (`printf`) and the JSON
objects (`json_object`), which takes a third of the time of building Python
objects for 100,000 rows and formatting them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(db_path: Path) -> sqlite3.Connection | None:
    """A read connection to an existing state database, or None if there is none yet."""
    if not db_path.is_file():
        return None
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


# "%!-8.8s": the '!' makes widths and precisions count characters, as Python's do
_TABLE_LINE = ("printf('%!-8.8s  %!-*.*s  %!-9s  %!-10s  %!.70s', s.id, :width, :width, s.title, "
               "s.status, s.since, coalesce(c.sentence, ''))")
_JSON_OBJECT = ("json_object('id', s.id, 'title', s.title, 'kind', s.kind, 'name', s.name, "
                "'participants', json(s.participants), 'location', s.location, "
                "'status', s.status, 'since', s.since, 'evidence', json_object("
                "'text', c.sentence, 'article', c.article_name, 'source', c.source))")
_FROM = ("from stories s left join claims c on c.id = s.evidence "
         "order by s.updated_seq desc limit :limit")


def table_width(conn: sqlite3.Connection, limit: int | None = None) -> int | None:
    """The STORY column's width for the `limit` most recent stories (at most 48), or
    None if there are no stories."""
    width = conn.execute("select min(48, max(length(title))) from (select s.title "
                         + _FROM.replace("left join claims c on c.id = s.evidence ", "")
                         + ")", {"limit": -1 if limit is None else limit}).fetchone()[0]
    return None if width is None else int(width)


def story_lines(conn: sqlite3.Connection, width: int, limit: int | None = None) -> str:
    """The stories table's lines (no header), most recently updated first: id, title
    (`width` characters), status, since and the evidence's first 70 characters.

    Stored text has no NUL (an article with one is rejected), which SQLite's printf
    would stop at; control and other unprintable characters become spaces, as the
    table's cells always made them."""
    text = conn.execute(f"select group_concat(line, char(10)) from (select {_TABLE_LINE} "
                        f"as line {_FROM})", {"width": width,
                                              "limit": -1 if limit is None else limit}
                        ).fetchone()[0] or ""
    if text.replace("\n", "").isprintable():
        return text
    return "\n".join(line if line.isprintable() else "".join(
        ch if ch.isprintable() else " " for ch in line) for line in text.split("\n"))


def stories_json(conn: sqlite3.Connection, limit: int | None = None) -> str:
    """Every story (or the `limit` most recent) as one JSON array, one story's
    compact object a line (id, title, kind, name, participants,
    location, status, since, and evidence: the evidence claim's text, article and
    source, or nulls), most recently updated first."""
    objects = [row[0] for row in conn.execute(
        f"select {_JSON_OBJECT} {_FROM}", {"limit": -1 if limit is None else limit})]
    return "[" + ",\n".join(objects) + "]"


def count_stories(conn: sqlite3.Connection) -> int:
    """How many stories there are."""
    return int(conn.execute("select count(*) from stories").fetchone()[0])
