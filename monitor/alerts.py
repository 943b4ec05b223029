"""Alerts: the JSON-lines alert log, written from the database's record of alerts.

The database is the source of truth: an alert is committed with its article,
then appended here and marked logged. A crash in between re-emits it on the
next start (ids already at the end of the file are skipped, so none appears
twice; a line cut short by a crash is removed first). The writer reopens the
file when it is renamed away, so `tail -F` and logrotate's rename-and-create
both work. A new file is created owner read-write, group read (0640).

Every character that is not printable is written as a \\u escape, so text from
an article can neither split a line (U+2028, U+0085, CR) nor reach a terminal
as a control sequence (ESC, CSI).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from monitor.logfile import ReopeningFile
from monitor.store import Store

_TAIL_BYTES = 1 << 20


def alert_line(alert: dict[str, Any]) -> str:
    """One alert as a single JSON line; control characters are escaped, never raw."""
    text = json.dumps(alert, ensure_ascii=False, separators=(",", ":"))
    if not text.isprintable():  # json.dumps leaves U+007F-U+009F, U+2028, U+202E ... raw
        text = "".join(ch if ch.isprintable() else json.dumps(ch)[1:-1] for ch in text)
    return text + "\n"


class AlertLog:
    """Appends alert lines to a file, reopening it after rotation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._file = ReopeningFile(path)  # created 0640: the group may read alerts
        self._known_ids: set[str] | None = None

    def _ids_at_end(self) -> set[str]:
        """Ids of the alerts in the last megabyte of the log: written before a crash.

        A last line without its newline (the write was cut short) is removed.
        """
        ids: set[str] = set()
        try:
            with open(self.path, "r+b") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - _TAIL_BYTES))
                tail = f.read()
                if tail and not tail.endswith(b"\n"):
                    f.truncate(f.tell() - len(tail) + tail.rfind(b"\n") + 1)
                for raw in tail.split(b"\n")[:-1]:
                    try:
                        ids.add(json.loads(raw)["id"])
                    except (ValueError, KeyError, TypeError):
                        continue
        except FileNotFoundError:
            pass
        return ids

    def write(self, alerts: list[dict[str, Any]]) -> None:
        """Append alerts and flush them to disk."""
        if not alerts:
            return
        self._file.write("".join(alert_line(a) for a in alerts))
        self._file.sync()

    def flush_from(self, store: Store) -> int:
        """Write every alert the database has not yet logged; return how many were written."""
        pending = store.unlogged_alerts()
        if not pending:
            return 0
        if self._known_ids is None:
            self._known_ids = self._ids_at_end()
        fresh = [body for _, body in pending if body["id"] not in self._known_ids]
        self.write(fresh)
        store.mark_logged([seq for seq, _ in pending])
        self._known_ids = set()  # after the first flush, the database alone says what is logged
        return len(fresh)

    def close(self) -> None:
        """Close the file."""
        self._file.close()
