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
from typing import IO, Any

from monitor.store import Store

_TAIL_BYTES = 1 << 20
ALERT_LOG_MODE = 0o640


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
        self._file: IO[str] | None = None
        self._identity: tuple[int, int] | None = None
        self._known_ids: set[str] | None = None

    def _open(self) -> IO[str]:
        if self._file is not None:
            try:
                st = os.stat(self.path)
                if (st.st_dev, st.st_ino) == self._identity:
                    return self._file
            except FileNotFoundError:
                pass
            self._file.close()
            self._file = None
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, ALERT_LOG_MODE)
            os.fchmod(fd, ALERT_LOG_MODE)  # whatever the umask: the group may read alerts
        except FileExistsError:
            fd = os.open(self.path, flags)
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        st = os.fstat(fd)
        self._identity = (st.st_dev, st.st_ino)
        return self._file

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
        f = self._open()
        f.write("".join(alert_line(a) for a in alerts))
        f.flush()
        os.fsync(f.fileno())

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
        if self._file is not None:
            self._file.close()
            self._file = None
