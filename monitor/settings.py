"""Settings: each declared once (name, type, default, help), validated at start-up.

Paths in a config file are relative to the file's own folder, so the default
`config/monitor.toml` works from any working directory.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError

DEFAULT_CONFIG = Path("config/monitor.toml")


@dataclass(frozen=True)
class Setting:
    """One configuration key: its type, default and the help a user sees."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    is_path: bool = False
    positive: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("watch_dir", str, "../seeds", "folder of articles to watch", is_path=True),
    Setting("state_dir", str, "../state", "folder for monitor.db and alerts.jsonl", is_path=True),
    Setting("watchlist", list, ["watchlist"], "watchlist files or folders (entities and aliases)",
            is_path=True),
    Setting("places", str, "places.toml", "gazetteer of places", is_path=True),
    Setting("lexicon_dir", str, "lexicon", "folder of the event and status lexicons", is_path=True),
    Setting("observer", str, "auto", "file-system observer",
            choices=("auto", "inotify", "polling")),
    Setting("settle_seconds", float, 0.3, "how long a file's size must be stable before reading"),
    Setting("reconcile_seconds", float, 30.0, "interval of the folder reconcile scan"),
    Setting("max_article_bytes", int, 2_000_000, "larger files are rejected"),
    Setting("log_format", str, "auto", "operational log format on stderr",
            choices=("auto", "console", "json")),
    Setting("log_level", str, "info", "operational log level",
            choices=("debug", "info", "warning", "error")),
    Setting("log_file", str, "", "`monitor run` logs to this file instead of stderr "
            "(reopened after logrotate renames it); empty: stderr", is_path=True),
    Setting("heartbeat_seconds", float, 5.0, "how often the daemon rewrites status.json "
            "for `monitor health`", positive=True),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Validated settings with every path resolved to an absolute one."""

    config_path: Path | None
    watch_dir: Path
    state_dir: Path
    watchlist: tuple[Path, ...]
    places: Path
    lexicon_dir: Path
    observer: str = "auto"
    settle_seconds: float = 0.3
    reconcile_seconds: float = 30.0
    max_article_bytes: int = 2_000_000
    log_format: str = "auto"
    log_level: str = "info"
    log_file: Path | None = None
    heartbeat_seconds: float = 5.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        """The SQLite file, the single source of truth."""
        return self.state_dir / "monitor.db"

    @property
    def alert_log(self) -> Path:
        """The JSON-lines alert log."""
        return self.state_dir / "alerts.jsonl"


def _check(path: Path, setting: Setting, value: Any) -> Any:
    expected = setting.type
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
        raise ConfigError(
            path, setting.name, f"expected {expected.__name__}, got {type(value).__name__}",
            f"{setting.help}; default {setting.default!r}")
    if setting.choices and value not in setting.choices:
        choices = ", ".join(setting.choices)
        raise ConfigError(path, setting.name, f"{value!r} is not one of {choices}", setting.help)
    if expected is list and not all(isinstance(v, str) for v in value):
        raise ConfigError(path, setting.name, "expected a list of strings", setting.help)
    if expected in (int, float) and value < 0:
        raise ConfigError(path, setting.name, "must not be negative", setting.help)
    if setting.positive and value <= 0:
        raise ConfigError(path, setting.name, "must be greater than 0", setting.help)
    return value


def resolve_config_path(explicit: str | None) -> Path:
    """The config file to use: --config, else $MONITOR_CONFIG, else config/monitor.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MONITOR_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


def load_settings(config_path: Path, *, watch_dir: str | None = None,
                  state_dir: str | None = None) -> Settings:
    """Read and validate a config file; command-line overrides win over the file.

    Raises ConfigError naming the file and key for unknown keys, wrong types,
    bad choices or a missing file.
    """
    if not config_path.is_file():
        raise ConfigError(config_path, None, "config file not found",
                          "pass --config PATH or set MONITOR_CONFIG")
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(config_path, None, f"not valid TOML: {exc}") from exc
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("webhooks",):
            extra[key] = value
            continue
        setting = _BY_NAME.get(key)
        if setting is None:
            import difflib

            close = difflib.get_close_matches(key, _BY_NAME, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(_BY_NAME)
            raise ConfigError(config_path, key, "unknown key", hint)
        values[key] = _check(config_path, setting, value)
    base = config_path.resolve().parent

    def path_of(value: str) -> Path:
        return (base / value).resolve()

    resolved: dict[str, Any] = {}
    for setting in SETTINGS:
        value = values.get(setting.name, setting.default)
        if setting.is_path and value == "":
            value = None
        elif setting.is_path:
            value = tuple(path_of(v) for v in value) if isinstance(value, list) else path_of(value)
        resolved[setting.name] = value
    settings = Settings(config_path=config_path.resolve(), extra=extra, **resolved)
    cwd = Path.cwd()
    if watch_dir:
        settings = replace(settings, watch_dir=(cwd / watch_dir).resolve())
    if state_dir:
        settings = replace(settings, state_dir=(cwd / state_dir).resolve())
    return settings
