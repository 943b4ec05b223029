"""Operational log helpers: a log file that survives logrotate, and terminal-safe values."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import IO, Any

LOG_FILE_MODE = 0o640


class ReopeningFile:
    """A text file appended to, reopened when logrotate renames it away (no signal needed).

    Created owner read-write, group read. Usable as structlog's PrintLogger file.
    """

    def __init__(self, path: Path) -> None:
        """Append to `path`; nothing is opened until the first write."""
        self.path = path
        self._file: IO[str] | None = None
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def _current(self) -> IO[str]:
        if self._file is not None:
            try:
                st = os.stat(self.path)
                if (st.st_dev, st.st_ino) == self._identity:
                    return self._file
            except FileNotFoundError:
                pass
            self._file.close()
            self._file = None
        flags = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, LOG_FILE_MODE)
            os.fchmod(fd, LOG_FILE_MODE)
        except FileExistsError:
            fd = os.open(self.path, flags)
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        st = os.fstat(fd)
        self._identity = (st.st_dev, st.st_ino)
        return self._file

    def write(self, text: str) -> int:
        """Append `text` to the file the path names now."""
        with self._lock:
            return self._current().write(text)

    def flush(self) -> None:
        """Flush to the operating system."""
        with self._lock:
            if self._file is not None:
                self._file.flush()

    def sync(self) -> None:
        """Flush and fsync: what was written is on disk when this returns."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def _printable(value: str) -> str:
    if value.isprintable():
        return value
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in value)


def escape_unprintable(logger: Any, method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: string values with control characters (from file names or
    article text) are shown escaped, so one event stays one line and cannot drive a
    terminal."""
    return {key: _printable(value) if isinstance(value, str) else value
            for key, value in event_dict.items()}
