"""The stories listing: what `monitor stories` prints, kept ready in monitor.db.

`monitor stories` has to answer at once on a store of 100,000 stories. So each
story's table line and its compact JSON object are made when the Store saves
the story (`refresh`) and kept in `story_listing`, whose primary key is the
story's update number: listing every story, most recently updated first, is one
sequential scan of that table, with no join and no formatting. SQLite itself
made the line (`printf` with character widths) and the object (`json_object`),
and concatenates the rows into one string, which goes to stdout as it is
(`stories_output`, `write_stdout`).

Reading needs no migration, so this module does without sqlite-utils (a tenth
of a second to import) and the Store. A database whose listing is missing or
behind its stories (an older monitor still running during an upgrade, or a
tool that wrote the tables itself) is listed from the stories and claims
directly, with the same output, only slower; the Store rebuilds the listing
when it next opens the database (`rebuild`).
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from pathlib import Path

# The widest the STORY column gets; stored lines are made at this width.
MAX_TITLE_WIDTH = 48

# A story's listing row, from the stories and claims tables. The line is the table's
# line with a STORY column of MAX_TITLE_WIDTH characters: 8 of id, 2 spaces, the title
# cut or padded to 48, then "  STATUS  SINCE  EVIDENCE" from character 59 on. In
# "%!-8.8s" the '!' makes widths and precisions count characters, as Python's do.
_DERIVED = (
    "select s.updated_seq as seq, s.id as id, length(s.title) as title_width, "
    "printf('%!-8.8s  %!-48.48s  %!-9s  %!-10s  %!.70s', s.id, s.title, s.status, s.since, "
    "coalesce(c.sentence, '')) as line, "
    "json_object('id', s.id, 'title', s.title, 'kind', s.kind, 'name', s.name, "
    "'participants', json(s.participants), 'location', s.location, "
    "'status', s.status, 'since', s.since, 'evidence', json_object("
    "'text', c.sentence, 'article', c.article_name, 'source', c.source)) as object "
    "from stories s left join claims c on c.id = s.evidence")
_STORE = ("insert or replace into story_listing (seq, id, title_width, line, object) "
          "values (?, ?, ?, ?, ?)")
# The same line with a STORY column of :width characters (at most MAX_TITLE_WIDTH).
_NARROWED = "substr(line, 1, 10 + :width) || substr(line, 59)"


def connect(db_path: Path) -> sqlite3.Connection | None:
    """A read connection to an existing state database, or None if there is none yet."""
    if not db_path.is_file():
        return None
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def printable(line: str) -> str:
    """A table line with every unprintable character but newlines shown as a space, as
    the table's cells always showed them (they can then not drive a terminal).

    Stored text has no NUL (an article with one is rejected), which SQLite's printf
    would stop at."""
    if line.isprintable():
        return line
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in line)


def refresh(conn: sqlite3.Connection, story_id: str) -> None:
    """Rewrite one story's listing row from its stored row and evidence claim; call it
    in the transaction that saved the story."""
    row = conn.execute(f"select * from ({_DERIVED}) where id = ?", [story_id]).fetchone()
    if row is not None:
        seq, story, width, line, obj = row
        conn.execute(_STORE, [seq, story, width, printable(line), obj])


def rebuild(conn: sqlite3.Connection) -> None:
    """Rewrite every story's listing row (after a migration, or when it is behind)."""
    conn.execute("delete from story_listing")
    conn.executemany(_STORE, ((seq, story, width, printable(line), obj)
                              for seq, story, width, line, obj in conn.execute(_DERIVED)))


def is_current(conn: sqlite3.Connection) -> bool:
    """Whether the stored listing is there and has the latest update of the stories
    (two indexed look-ups): the Store updates both in one transaction, so only a
    writer that does not know the listing leaves it behind."""
    try:
        row = conn.execute("select (select max(updated_seq) from stories) is "
                           "(select max(seq) from story_listing)").fetchone()
    except sqlite3.OperationalError:  # a database from before the listing
        return False
    return bool(row[0])


class Listing:
    """The stories of one state database, most recently updated first, as the table's
    lines or JSON objects: read from the stored listing when it is current, else
    derived from the stories and claims (the same output, without the speed)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.stored = is_current(conn)
        self._source = "story_listing" if self.stored else f"({_DERIVED})"

    def title_width(self, limit: int | None = None) -> int | None:
        """The STORY column's width for the `limit` most recent stories (at most 48), or
        None if there are no stories."""
        if limit is None and self.stored:
            sql = "select max(title_width) from story_listing"  # indexed
        else:
            sql = (f"select max(title_width) from (select title_width from {self._source} "
                   "order by seq desc limit :limit)")
        width = self.conn.execute(sql, {"limit": -1 if limit is None else limit}).fetchone()[0]
        return None if width is None else min(MAX_TITLE_WIDTH, int(width))

    def lines(self, width: int, limit: int | None = None) -> bytes:
        """The table's lines (no header) as UTF-8, most recently updated first: id,
        title (`width` characters), status, since and the evidence's first 70
        characters, unprintable characters shown as spaces."""
        line = "line" if width == MAX_TITLE_WIDTH else _NARROWED
        data = self._concat(f"select {line} as line from {self._source} "
                            "order by seq desc limit :limit", "char(10)",
                            {"width": width, "limit": -1 if limit is None else limit})
        if self.stored:
            return data  # stored lines are printable already
        return "\n".join(printable(text) for text in data.decode().split("\n")).encode()

    def json_objects(self, limit: int | None = None) -> bytes:
        """Every story (or the `limit` most recent) as the inside of one JSON array in
        UTF-8, one story's compact object a line, separated by commas (id, title, kind,
        name, participants, location, status, since, and evidence: the evidence
        claim's text, article and source, or nulls), most recently updated first."""
        return self._concat(f"select object as line from {self._source} "
                            "order by seq desc limit :limit", "',' || char(10)",
                            {"limit": -1 if limit is None else limit})

    def count(self) -> int:
        """How many stories there are."""
        return int(self.conn.execute("select count(*) from stories").fetchone()[0])

    def _concat(self, select: str, separator: str, params: dict[str, int]) -> bytes:
        """The `line` column of a query's rows joined by `separator`, in their order, as
        the UTF-8 bytes SQLite holds (no decoding to str and encoding back)."""
        row = self.conn.execute(f"select cast(group_concat(line, {separator}) as blob) "
                                f"from ({select})", params).fetchone()
        return row[0] or b""


def stories_output(db_path: Path, as_json: bool, limit: int | None) -> list[bytes]:
    """What `monitor stories [--json] [--limit N]` prints, in UTF-8 pieces to write one
    after the other (joining megabytes would copy them): the table with its header
    (and, with a limit that leaves stories out, how many more there are), or one
    JSON array. `limit` None or 0: every story.

    The database is read without the Store (and sqlite-utils) when it exists with its
    schema; otherwise the Store creates it."""
    limit = limit or None

    def table(stored: Listing) -> list[bytes]:
        width = stored.title_width(limit)
        if width is None:
            return [b"no stories yet\n"]
        lines = stored.lines(width, limit)
        head = f"{'ID':<8}  {'STORY':<{width}}  {'STATUS':<9}  {'SINCE':<10}  EVIDENCE\n"
        out = [head.encode(), lines, b"\n"]
        if limit:
            shown = lines.count(b"\n") + 1
            total = stored.count()
            if total > shown:
                out.append(f"... and {total - shown:,} more, less recently updated "
                           "(without --limit: all)\n".encode())
        return out

    def array(stored: Listing) -> list[bytes]:
        return [b"[", stored.json_objects(limit), b"]\n"]

    read = array if as_json else table
    conn = connect(db_path)
    if conn is not None:
        try:
            return read(Listing(conn))
        except sqlite3.OperationalError:
            pass  # no schema yet: the Store below creates it
        finally:
            conn.close()
    from monitor.store import Store

    store = Store(db_path)
    try:
        return read(Listing(store.db.conn))
    finally:
        store.close()


def write_stdout(pieces: list[bytes]) -> None:
    """Write UTF-8 pieces to stdout as they are (no joining, no decoding), or as text
    when stdout is not a UTF-8 byte stream."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is None or (out.encoding or "").lower().replace("-", "") != "utf8":
        out.write(b"".join(pieces).decode())
        return
    out.flush()
    for piece in pieces:
        view = memoryview(piece)
        while view:  # an unbuffered stdout (python -u) may take part of it
            written = buffer.write(view)
            if written is None:
                raise BlockingIOError(errno.EAGAIN, "stdout is full (non-blocking)")
            view = view[written:]
    buffer.flush()
