"""systemd's notify protocol (sd_notify) in a few lines of socket code.

A `Type=notify` service tells systemd when it is ready, reloading, stopping
and still alive (the watchdog) by sending datagrams of `KEY=value` lines to
the socket named in $NOTIFY_SOCKET. Without that variable (not started by
systemd) every call does nothing.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping

import structlog

log = structlog.get_logger("monitor")


def _address(value: str) -> str:
    """A socket path, or an abstract socket name when it starts with '@'."""
    return "\0" + value[1:] if value.startswith("@") else value


class Notifier:
    """Sends state changes to systemd; a no-op when $NOTIFY_SOCKET is unset."""

    def __init__(self, socket_path: str | None) -> None:
        """Notify the socket at `socket_path` (None: do nothing)."""
        self.socket_path = socket_path or None
        self._warned = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Notifier:
        """The notifier for $NOTIFY_SOCKET."""
        return cls(environ.get("NOTIFY_SOCKET"))

    @property
    def enabled(self) -> bool:
        """Whether a service manager is listening."""
        return self.socket_path is not None

    def send(self, *fields: str) -> bool:
        """Send `KEY=value` fields as one datagram; True if it was sent."""
        if self.socket_path is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(fields).encode(), _address(self.socket_path))
        except OSError as exc:
            if not self._warned:  # once: a missing socket would otherwise flood the log
                log.warning("cannot notify systemd", socket=self.socket_path, error=str(exc))
                self._warned = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        """Start-up or reload finished."""
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def reloading(self, monotonic_usec: int | None = None) -> bool:
        """A reload starts now (CLOCK_MONOTONIC in microseconds); READY=1 must follow."""
        usec = monotonic_usec if monotonic_usec is not None else \
            time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.send("RELOADING=1", f"MONOTONIC_USEC={usec}")

    def stopping(self) -> bool:
        """Shutting down."""
        return self.send("STOPPING=1")

    def watchdog(self) -> bool:
        """Still alive and healthy."""
        return self.send("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """A one-line status that `systemctl status` shows."""
        return self.send(f"STATUS={text}")

    def extend_timeout(self, seconds: float) -> bool:
        """Ask for `seconds` more to finish starting (a long catch-up scan)."""
        return self.send(f"EXTEND_TIMEOUT_USEC={int(seconds * 1_000_000)}")


def watchdog_interval(environ: Mapping[str, str] = os.environ,
                      pid: int | None = None) -> float | None:
    """Seconds between WATCHDOG=1 pings: half of $WATCHDOG_USEC, or None if not asked for.

    $WATCHDOG_PID, when set, must be this process's pid.
    """
    usec = environ.get("WATCHDOG_USEC", "")
    owner = environ.get("WATCHDOG_PID", "")
    if owner and owner != str(pid if pid is not None else os.getpid()):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 2 / 1_000_000 if value > 0 else None
