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
from monitor.vocabulary import KINDS, STATUSES

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
    items: type = str
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
    Setting("webhook_poll_seconds", float, 2.0,
            "how often the delivery worker looks for due or retried webhook deliveries"),
)

# Standard Webhooks' retry schedule: the delay before each attempt (the first at once).
RETRY_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 50400.0, 72000.0,
                  86400.0)

# The keys of one `[[webhooks]]` entry; `None` marks a required key.
WEBHOOK_SETTINGS: tuple[Setting, ...] = (
    Setting("url", str, None, "the receiver's URL, http:// or https://"),
    Setting("secret_env", str, None,
            "name of the environment variable that holds the endpoint's whsec_ secret"),
    Setting("timeout", float, 10.0, "seconds to wait for the receiver to connect and answer"),
    Setting("max_attempts", int, len(RETRY_SCHEDULE),
            "attempts before a delivery moves to the dead-letter list"),
    Setting("retry_schedule", list, list(RETRY_SCHEDULE),
            "seconds to wait before each attempt, the last one repeating; jitter is added",
            items=float),
    Setting("filter", dict, {}, "send only matching alerts: statuses, participants, kinds"),
)

# The keys of a webhook's `filter` table: an alert passes when it matches every key given.
FILTER_SETTINGS: tuple[Setting, ...] = (
    Setting("statuses", list, [], "the new status is one of these", choices=STATUSES),
    Setting("participants", list, [], "the story has one of these participants (full names)"),
    Setting("kinds", list, [], "the story's kind is one of these", choices=KINDS),
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
    webhook_poll_seconds: float = 2.0
    webhooks: tuple[WebhookConfig, ...] = ()
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


@dataclass(frozen=True)
class WebhookConfig:
    """One `[[webhooks]]` entry, validated. The secret itself is read only when sending."""

    url: str
    secret_env: str
    timeout: float = 10.0
    max_attempts: int = len(RETRY_SCHEDULE)
    retry_schedule: tuple[float, ...] = RETRY_SCHEDULE
    statuses: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    where: str = "webhooks[0]"

    @property
    def key(self) -> str:
        """A stable id for the endpoint, derived from its URL (never from the secret)."""
        import hashlib  # here: commands that only read the state start faster

        return hashlib.sha256(self.url.encode()).hexdigest()[:8]


def _is_type(value: Any, expected: type) -> bool:
    if isinstance(value, bool) != (expected is bool):
        return False
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def _check(path: Path, setting: Setting, value: Any, prefix: str = "") -> Any:
    expected = setting.type
    key = prefix + setting.name
    if not _is_type(value, expected):
        default = "" if setting.default is None else f"; default {setting.default!r}"
        raise ConfigError(
            path, key, f"expected {expected.__name__}, got {type(value).__name__}",
            setting.help + default)
    if expected is float:
        value = float(value)
    if expected is list:
        if not all(_is_type(v, setting.items) for v in value):
            noun = "numbers" if setting.items is float else "strings"
            raise ConfigError(path, key, f"expected a list of {noun}", setting.help)
        if setting.items is float:
            value = [float(v) for v in value]
            if any(v < 0 for v in value):
                raise ConfigError(path, key, "must not be negative", setting.help)
    choices = ", ".join(setting.choices)
    if setting.choices and expected is list:
        for item in value:
            if item not in setting.choices:
                raise ConfigError(path, key, f"{item!r} is not one of {choices}", setting.help)
    elif setting.choices and value not in setting.choices:
        raise ConfigError(path, key, f"{value!r} is not one of {choices}", setting.help)
    if expected in (int, float) and value < 0:
        raise ConfigError(path, key, "must not be negative", setting.help)
    if setting.positive and value <= 0:
        raise ConfigError(path, key, "must be greater than 0", setting.help)
    return value


def _unknown_key(path: Path, key: str, known: list[str], prefix: str = "") -> ConfigError:
    import difflib

    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(known)
    return ConfigError(path, prefix + key, "unknown key", hint)


def _table(path: Path, raw: dict[str, Any], declared: tuple[Setting, ...],
           prefix: str) -> dict[str, Any]:
    """Validate one TOML table against its declared keys; defaults fill the gaps."""
    by_name = {s.name: s for s in declared}
    for key in raw:
        if key not in by_name:
            raise _unknown_key(path, key, list(by_name), prefix)
    values: dict[str, Any] = {}
    for setting in declared:
        if setting.name in raw:
            values[setting.name] = _check(path, setting, raw[setting.name], prefix)
        elif setting.default is None:
            raise ConfigError(path, prefix + setting.name, "missing", setting.help)
        else:
            values[setting.name] = setting.default
    return values


def _webhooks(path: Path, raw: Any) -> tuple[WebhookConfig, ...]:
    """Validate the `[[webhooks]]` array of tables."""
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise ConfigError(path, "webhooks", "expected an array of tables",
                          'write each endpoint as [[webhooks]] with url = "..." and '
                          'secret_env = "NAME"')
    configs: list[WebhookConfig] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"webhooks[{index}]"
        values = _table(path, entry, WEBHOOK_SETTINGS, where + ".")
        from urllib.parse import urlsplit  # here: commands that only read start faster

        parts = urlsplit(values["url"])
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(path, where + ".url", "expected an http:// or https:// URL",
                              'for example url = "https://hooks.example.org/monitor"')
        if values["url"] in seen:
            raise ConfigError(path, where + ".url", "the same URL is configured twice",
                              "merge the two entries")
        seen.add(values["url"])
        if not values["secret_env"].strip():
            raise ConfigError(path, where + ".secret_env", "must not be empty",
                              WEBHOOK_SETTINGS[1].help)
        if values["timeout"] <= 0:
            raise ConfigError(path, where + ".timeout", "must be positive",
                              WEBHOOK_SETTINGS[2].help)
        if values["max_attempts"] < 1:
            raise ConfigError(path, where + ".max_attempts", "must be at least 1",
                              WEBHOOK_SETTINGS[3].help)
        if not values["retry_schedule"]:
            raise ConfigError(path, where + ".retry_schedule", "must not be empty",
                              WEBHOOK_SETTINGS[4].help)
        wanted = _table(path, values["filter"], FILTER_SETTINGS, where + ".filter.")
        configs.append(WebhookConfig(
            url=values["url"], secret_env=values["secret_env"], timeout=values["timeout"],
            max_attempts=values["max_attempts"],
            retry_schedule=tuple(values["retry_schedule"]),
            statuses=tuple(wanted["statuses"]), participants=tuple(wanted["participants"]),
            kinds=tuple(wanted["kinds"]), where=where))
    return tuple(configs)


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
    webhooks: tuple[WebhookConfig, ...] = ()
    for key, value in raw.items():
        if key == "webhooks":
            webhooks = _webhooks(config_path, value)
            continue
        setting = _BY_NAME.get(key)
        if setting is None:
            raise _unknown_key(config_path, key, [*_BY_NAME, "webhooks"])
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
    settings = Settings(config_path=config_path.resolve(), extra=extra, webhooks=webhooks,
                        **resolved)
    cwd = Path.cwd()
    if watch_dir:
        settings = replace(settings, watch_dir=(cwd / watch_dir).resolve())
    if state_dir:
        settings = replace(settings, state_dir=(cwd / state_dir).resolve())
    return settings
