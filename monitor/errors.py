"""The typed exceptions domain code raises; only `monitor.cli` turns them into messages."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor reports to a user."""

    exit_code = 1


class ConfigError(MonitorError):
    """A configuration, watchlist or lexicon file is missing or invalid."""

    exit_code = 2

    def __init__(self, path: object, key: str | None, problem: str, hint: str = "") -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        self.hint = hint
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + problem + (f" ({hint})" if hint else ""))


class ArticleError(MonitorError):
    """A file in the watched folder cannot be read as an article."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StateError(MonitorError):
    """The state directory or database cannot be used."""


class StoryNotFound(MonitorError):
    """A command named a story that is not in the state."""

    def __init__(self, query: str) -> None:
        self.query = query
        super().__init__(f"no story matches {query!r} (see `monitor stories`)")


class AlreadyRunning(MonitorError):
    """Another daemon holds the state directory's lock."""

    exit_code = 2


class DeliveryNotFound(MonitorError):
    """A command named a webhook delivery that is not waiting in the outbox."""

    def __init__(self, query: str) -> None:
        self.query = query
        super().__init__(f"no undelivered webhook delivery matches {query!r} "
                         "(see `monitor webhooks`)")


class WebhookError(MonitorError):
    """A webhook command could not do what it was asked (an unknown URL, a failed test)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        self.exit_code = exit_code
        super().__init__(message)
