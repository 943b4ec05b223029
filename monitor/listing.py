"""Listings: the stories table read straight from monitor.db with the sqlite3 module.

`monitor stories` has to answer at once on a store of 100,000 stories. Reading
needs no migration, so this module does without sqlite-utils (a tenth of a
second to import) and the Store. This is the one query that lists stories with
their evidence.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

STORY_LIST_SQL = (
    "select s.id, s.title, s.kind, s.name, s.participants, s.location, s.status, s.since, "
    "c.sentence, c.article_name, c.source from stories s "
    "left join claims c on c.id = s.evidence order by s.updated_seq desc")


def connect(db_path: Path) -> sqlite3.Connection | None:
    """A read connection to an existing state database, or None if there is none yet."""
    if not db_path.is_file():
        return None
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def story_rows(conn: sqlite3.Connection, limit: int | None = None) -> list[tuple[Any, ...]]:
    """Stories with their evidence claim as tuples, most recently updated first.

    (id, title, kind, name, participants as JSON, location, status, since, and the
    evidence claim's sentence, article name and source); `limit` keeps the most
    recent ones.
    """
    if limit is None:
        return conn.execute(STORY_LIST_SQL).fetchall()
    return conn.execute(STORY_LIST_SQL + " limit ?", [limit]).fetchall()


def as_dict(r: tuple[Any, ...]) -> dict[str, Any]:
    """A `story_rows` row as the story's fields (participants decoded) and `evidence`:
    the evidence claim's text, article and source (None if it has none)."""
    return {"id": r[0], "title": r[1], "kind": r[2], "name": r[3],
            "participants": json.loads(r[4]), "location": r[5], "status": r[6],
            "since": r[7], "evidence": {"text": r[8], "article": r[9], "source": r[10]}}


def count_stories(conn: sqlite3.Connection) -> int:
    """How many stories there are."""
    return int(conn.execute("select count(*) from stories").fetchone()[0])
