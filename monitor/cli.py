"""Command line: the only place errors become messages and exit codes.

Exit codes: 0 ok, 2 usage or config error, 1 any other failure.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import structlog

from monitor.errors import MonitorError
from monitor.settings import Settings, load_settings, resolve_config_path

log = structlog.get_logger("monitor")


def configure_logging(fmt: str = "auto", level: str = "info",
                      log_file: Path | None = None) -> None:
    """Operational logs on stderr (or `log_file`): readable on a terminal, JSON lines otherwise.

    Control characters in values are escaped, so a file name can neither split a JSON
    line nor drive the terminal.
    """
    from monitor.logfile import ReopeningFile, escape_unprintable

    console = fmt == "console" or (fmt == "auto" and log_file is None and sys.stderr.isatty())
    tail: list[Any] = ([escape_unprintable, structlog.dev.ConsoleRenderer()] if console
                       else [structlog.processors.format_exc_info,
                             structlog.processors.JSONRenderer()])
    out: Any = ReopeningFile(log_file) if log_file is not None else sys.stderr
    structlog.configure(
        processors=[structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True), *tail],
        wrapper_class=structlog.make_filtering_bound_logger(
            getattr(logging, level.upper(), logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --state-dir and --watch-dir on every command, resolved into Settings."""

    @click.option("--config", "config_path", metavar="PATH",
                  help="config file (default $MONITOR_CONFIG, else config/monitor.toml)")
    @click.option("--state-dir", metavar="DIR", help="state directory (overrides the config)")
    @click.option("--watch-dir", metavar="DIR", help="watched folder (overrides the config)")
    @functools.wraps(command)
    def wrapper(config_path: str | None, state_dir: str | None, watch_dir: str | None,
                **kwargs: Any) -> Any:
        def reread() -> Settings:
            return load_settings(resolve_config_path(config_path), watch_dir=watch_dir,
                                 state_dir=state_dir)

        try:
            settings = reread()
            configure_logging(settings.log_format, settings.log_level)
            click.get_current_context().meta["monitor.reread_settings"] = reread
            return command(settings, **kwargs)
        except MonitorError as exc:
            click.echo(f"monitor: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def _print_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _clean(text: str | None) -> str:
    """Text safe for a terminal table: no control characters."""
    return "".join(ch if ch.isprintable() else " " for ch in (text or ""))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="story-status-monitor")
def main() -> None:
    """Watch a folder of news articles and alert when a story's status changes."""


@main.command()
@common_options
def run(settings: Settings) -> None:
    """The daemon: catch up on the folder, then watch it until SIGTERM or SIGINT."""
    import signal

    # until the daemon's handler is installed, a SIGHUP (reload) must not end the process
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    from monitor.daemon import Daemon

    if settings.log_file is not None:
        configure_logging(settings.log_format, settings.log_level, settings.log_file)
    Daemon(settings,
           reload_settings=click.get_current_context().meta["monitor.reread_settings"]).run()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_options
def scan(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Process files or folders (default: the watch dir) once, in publication order."""
    from monitor.pipeline import Monitor, expand_paths

    targets = list(paths) or [settings.watch_dir]
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {missing[0]}")
    files = expand_paths(targets)
    monitor = Monitor(settings)
    try:
        show = sys.stderr.isatty() and len(files) > 20
        if show:
            with click.progressbar(length=len(files), label="scanning", file=sys.stderr) as bar:
                report = monitor.process_paths(files, lambda done, total: bar.update(1))
        else:
            report = monitor.process_paths(files)
    finally:
        monitor.close()
    for alert in report.alerts:
        body = alert.body
        click.echo(f"{_clean(body['story']['title'])}: {body['from'] or 'new'} -> {body['to']}"
                   f"  ({body['effective']}, {body['evidence']['article']})")
    click.echo(f"{report.processed} processed, {report.duplicates} duplicates, "
               f"{report.rejected} rejected, {len(report.alerts)} alerts", err=True)


def _open_store(settings: Settings) -> Any:
    from monitor.store import Store

    return Store(settings.db_path)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON array")
@common_options
def stories(settings: Settings, as_json: bool) -> None:
    """Every story with its current status, since when, and the evidence."""
    store = _open_store(settings)
    rows = []
    for story in store.stories():
        evidence = store.claim(story.evidence) if story.evidence else {}
        rows.append({"id": story.id, "title": story.title, "kind": story.kind,
                     "name": story.name, "participants": story.participants,
                     "location": story.location, "status": story.status, "since": story.since,
                     "evidence": {"text": evidence.get("sentence"),
                                  "article": evidence.get("article_name"),
                                  "source": evidence.get("source")}})
    if as_json:
        _print_json(rows)
        return
    if not rows:
        click.echo("no stories yet")
        return
    width = min(48, max(len(r["title"]) for r in rows))
    click.echo(f"{'ID':<8}  {'STORY':<{width}}  {'STATUS':<9}  {'SINCE':<10}  EVIDENCE")
    for r in rows:
        evidence = _clean(r["evidence"]["text"])
        click.echo(f"{r['id'][:8]:<8}  {_clean(r['title'])[:width]:<{width}}  "
                   f"{r['status']:<9}  {r['since']:<10}  {evidence[:70]}")


@main.command()
@click.argument("story")
@click.option("--json", "as_json", is_flag=True, help="print one JSON array")
@common_options
def history(settings: Settings, story: str, as_json: bool) -> None:
    """A story's timeline of claims with evidence (STORY: id, id prefix or title words)."""
    store = _open_store(settings)
    found = store.find_story(story)
    claims = store.story_claims(found.id)
    timeline = [{"effective": c["effective"], "status": c["status"], "text": c["sentence"],
                 "article": c["article_name"], "published": c["published"],
                 "source": c["source"], "rule": c["rule"]} for c in claims]
    if as_json:
        _print_json(timeline)
        return
    click.echo(f"{found.title} [{found.id}]: {found.status} since {found.since}")
    for c in timeline:
        click.echo(f"  {c['effective']}  {c['status']:<9}  {c['article']}"
                   + (f"  ({_clean(c['source'])})" if c["source"] else ""))
        click.echo(f"      {_clean(c['text'])[:150]}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON array")
@click.option("--since", metavar="ISO", help="only alerts detected at or after this time")
@common_options
def alerts(settings: Settings, as_json: bool, since: str | None) -> None:
    """Alerts emitted so far."""
    rows = _open_store(settings).alerts(since)
    if as_json:
        _print_json(rows)
        return
    for a in rows:
        click.echo(f"{a['detected_at']}  {_clean(a['story']['title'])}: "
                   f"{a['from'] or 'new'} -> {a['to']}  ({a['effective']})")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print one JSON array")
@common_options
def extract(settings: Settings, files: tuple[Path, ...], as_json: bool) -> None:
    """The claims found in files, touching no state."""
    from monitor.articles import read_article
    from monitor.extract import ClaimExtractor, load_lexicon

    extractor = ClaimExtractor(load_lexicon(settings.watchlist, settings.places,
                                            settings.lexicon_dir))
    out = []
    for path in files:
        article = read_article(path, max_bytes=settings.max_article_bytes)
        for c in extractor.extract(article):
            out.append({"article": article.name, "participants": list(c.participants),
                        "kind": c.kind, "name": c.name, "location": c.location,
                        "status": c.status, "effective": c.effective.isoformat(),
                        "source": c.source, "text": c.sentence, "rule": c.rule})
    if as_json:
        _print_json(out)
        return
    for c in out:
        where = f" in {c['location']}" if c["location"] else ""
        who = c["name"] or "–".join(c["participants"])
        click.echo(f"{c['article']}: {who} {c['kind']}{where}: {c['status']} "
                   f"({c['effective']})")
        click.echo(f"    {_clean(c['text'])[:150]}")
        click.echo(f"    rule: {c['rule']}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON array")
@common_options
def rejected(settings: Settings, as_json: bool) -> None:
    """Files that could not be processed, with the reason, oldest first."""
    rows = [{"file": r["name"], "reason": r["reason"], "at": r["at"]}
            for r in _open_store(settings).rejected()]
    if as_json:
        _print_json(rows)
        return
    if not rows:
        click.echo("no rejected files")
        return
    width = min(40, max(len(_clean(r["file"])) for r in rows))
    click.echo(f"{'AT':<20}  {'FILE':<{width}}  REASON")
    for r in rows:
        click.echo(f"{r['at']:<20}  {_clean(r['file'])[:width]:<{width}}  "
                   f"{_clean(r['reason'])[:200]}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@common_options
def health(settings: Settings, as_json: bool) -> None:
    """Is the daemon alive, scanning the folder and without problems? Exit 0 if so, else 1."""
    import time

    from monitor.health import check_health

    report = check_health(settings, now=time.time())
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_clean(report.message))
    sys.exit(0 if report.healthy else 1)
