"""Webhook delivery: configuration, signing, the retry schedule and the webhooks command.

Every test sends to a real HTTP server on 127.0.0.1 (tests/receiver.py) that
checks signatures with the `standardwebhooks` package.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.pipeline import Monitor
from monitor.settings import RETRY_SCHEDULE, Settings, load_settings
from monitor.webhooks import EndpointWorker, load_endpoints
from tests.conftest import ROOT
from tests.receiver import Receiver, free_port, monitor, new_secret, wait_for, write_config
from tests.writer import name, planned_article, status_article


class FakeClock:
    """Unix seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = time.time() + 1

    def __call__(self) -> float:
        return self.now


def _articles(folder: Path, stories: int, steps: tuple[str, ...] = ()) -> Path:
    """Each story planned on 10 March, then one article per step two days apart."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(stories):
        (folder / f"{i:02}-a.txt").write_text(planned_article(i))
        for n, status in enumerate(steps, 1):
            day = f"2025-03-{10 + 2 * n}"
            (folder / f"{i:02}-{n}.txt").write_text(status_article(i, status, day))
    return folder


def _queued(tmp_path: Path, hooks: list[dict], stories: int = 1,
            steps: tuple[str, ...] = ()) -> Settings:
    """Settings for these endpoints, with the alerts of some articles already queued."""
    watch = _articles(tmp_path / "in", stories, steps)
    config = write_config(tmp_path / "cfg", hooks, watch_dir=str(watch),
                          state_dir=str(tmp_path / "state"))
    settings = load_settings(config)
    pipeline = Monitor(settings)
    pipeline.process_paths(sorted(watch.iterdir()))
    pipeline.close()
    return settings


def _outbox(state: Path) -> list[dict]:
    with sqlite3.connect(state / "monitor.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select * from webhook_outbox order by id")]


@pytest.fixture
def receivers():  # noqa: ANN201
    started: list[Receiver] = []

    def make(secret: str, **kwargs: object) -> Receiver:
        receiver = Receiver(secret, **kwargs).start()  # type: ignore[arg-type]
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


# ---------------------------------------------------------------- configuration


def _config_error(tmp_path: Path, entry: str, env: dict[str, str] | None = None,
                  command: str = "stories") -> subprocess.CompletedProcess[str]:
    config = tmp_path / "monitor.toml"
    (tmp_path / "in").mkdir(exist_ok=True)
    config.write_text(f"state_dir = 'state'\nwatch_dir = 'in'\n\n[[webhooks]]\n{entry}\n")
    done = monitor(config, command, env=env, check=False)
    assert done.returncode == 2, done.stderr
    return done


@pytest.mark.parametrize(("entry", "message"), [
    ('url = "http://127.0.0.1:9/hook"\nsecret_env = "S"\ntimout = 3',
     "webhooks[0].timout: unknown key (did you mean 'timeout'?)"),
    ('url = "http://127.0.0.1:9/hook"\nsecret_env = "S"\ntimeout = "3"',
     "webhooks[0].timeout: expected float, got str (seconds to wait for the receiver to "
     "connect and answer; default 10.0)"),
    ('url = "http://127.0.0.1:9/hook"\nsecret_env = "S"\nmax_attempts = 0',
     "webhooks[0].max_attempts: must be at least 1 (attempts before a delivery moves to the "
     "dead-letter list)"),
    ('url = "http://127.0.0.1:9/hook"\nsecret_env = "S"\nfilter = {statuses = ["delayed"]}',
     "webhooks[0].filter.statuses: 'delayed' is not one of proposed, planned, at_risk, paused, "
     "postponed, cancelled, held (the new status is one of these)"),
    ('url = "http://127.0.0.1:9/hook"\nsecret_env = "S"\nfilter = {people = ["A B"]}',
     "webhooks[0].filter.people: unknown key (known keys: statuses, participants, kinds)"),
    ('url = "ftp://127.0.0.1/hook"\nsecret_env = "S"',
     'webhooks[0].url: expected an http:// or https:// URL (for example '
     'url = "https://hooks.example.org/monitor")'),
    ('secret_env = "S"', "webhooks[0].url: missing (the receiver's URL, http:// or https://)"),
])
def test_a_bad_webhook_entry_is_refused_naming_file_and_key(tmp_path: Path, entry: str,
                                                            message: str) -> None:
    done = _config_error(tmp_path, entry)
    assert done.stderr == f"monitor: {tmp_path / 'monitor.toml'}: {message}\n"


@pytest.mark.parametrize("command", ["run", "scan"])
def test_a_missing_secret_stops_run_and_scan_naming_the_variable(tmp_path: Path,
                                                                command: str) -> None:
    done = _config_error(tmp_path, 'url = "http://127.0.0.1:9/hook"\nsecret_env = "HOOK_KEY"',
                         env={"HOOK_KEY": ""}, command=command)
    assert done.stderr == (
        f"monitor: {tmp_path / 'monitor.toml'}: webhooks[0].secret_env: environment variable "
        "HOOK_KEY is not set (export HOOK_KEY with the endpoint's whsec_... secret)\n")
    assert not (tmp_path / "state").exists()


def test_a_malformed_secret_is_refused_without_showing_it(tmp_path: Path) -> None:
    value = "whsec_this-is-not-base64-but-private"
    done = _config_error(tmp_path, 'url = "http://127.0.0.1:9/hook"\nsecret_env = "HOOK_KEY"',
                         env={"HOOK_KEY": value}, command="run")
    assert done.stderr == (
        f"monitor: {tmp_path / 'monitor.toml'}: webhooks[0].secret_env: environment variable "
        "HOOK_KEY does not hold base64 after whsec_ (the endpoint's secret is whsec_ followed "
        "by base64)\n")
    assert "private" not in done.stderr


def test_reading_commands_need_no_secret(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"url": "http://127.0.0.1:9/hook", "secret_env": "NOPE"}],
                          state_dir=str(tmp_path / "state"))
    assert monitor(config, "stories", env={"NOPE": ""}).stdout == "no stories yet\n"


# ---------------------------------------------------------------- the retry schedule


def test_a_failing_delivery_follows_the_standard_schedule_then_is_dead(tmp_path: Path,
                                                                     receivers) -> None:  # noqa: ANN001
    secret = new_secret()
    receiver = receivers(secret, mode=500)
    settings = _queued(tmp_path, [{"url": receiver.url, "secret_env": "S"}])
    [endpoint] = load_endpoints(settings, {"S": secret})
    clock = FakeClock()
    worker = EndpointWorker(settings.db_path, endpoint, clock=clock, rng=random.Random(7))
    while (due := worker.due_in()) is not None:
        clock.now += max(due, 0)
        worker.run()
    worker.close()

    stamps = [int(r.timestamp or 0) for r in receiver.requests]
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert len(receiver.requests) == 10
    for gap, base in zip(gaps, RETRY_SCHEDULE[1:], strict=True):
        assert base - 1 <= gap <= base * 1.1 + 1, (gaps, RETRY_SCHEDULE)
    assert any(gap > base + 1 for gap, base in zip(gaps, RETRY_SCHEDULE[1:], strict=True)), \
        "no jitter"
    assert len({r.webhook_id for r in receiver.requests}) == 1
    [row] = json.loads(monitor(settings.config_path, "webhooks", "--json").stdout)
    assert (row["state"], row["attempts"], row["last_status"], row["last_error"]) == \
        ("dead", 10, 500, "HTTP 500 Internal Server Error")
    assert row["next_attempt"] is None


def test_retry_after_is_honoured_and_redirects_are_failures(tmp_path: Path,
                                                            receivers) -> None:  # noqa: ANN001
    secret = new_secret()
    busy = receivers(secret, mode=503, headers={"retry-after": "120"})
    moved = receivers(secret, mode=302, headers={"location": "/elsewhere"})
    settings = _queued(tmp_path, [{"url": busy.url, "secret_env": "S"},
                                  {"url": moved.url, "secret_env": "S"}])
    clock = FakeClock()
    workers = [EndpointWorker(settings.db_path, e, clock=clock)
               for e in load_endpoints(settings, {"S": secret})]
    for worker in workers:
        worker.run()
    busy_worker, moved_worker = workers
    assert 120 <= (busy_worker.due_in() or 0) <= 121
    assert 5 <= (moved_worker.due_in() or 0) <= 5.5
    assert len(moved.requests) == 1  # the Location was not followed
    rows = json.loads(monitor(settings.config_path, "webhooks", "--json").stdout)
    assert [(r["url"], r["state"], r["last_error"]) for r in rows] == [
        (busy.url, "failed", "HTTP 503 Service Unavailable"),
        (moved.url, "failed", "HTTP 302 Found: redirects are not followed")]

    busy.mode = "ok"
    clock.now += 100
    busy_worker.run()
    assert busy.accepted == []  # not before Retry-After
    clock.now += 21
    busy_worker.run()
    assert len(busy.accepted) == 1
    for worker in workers:
        worker.close()


def test_410_disables_the_endpoint_until_enabled_and_spares_the_others(
        tmp_path: Path, receivers) -> None:  # noqa: ANN001
    secret = new_secret()
    gone, healthy = receivers(secret, mode=410), receivers(secret)
    settings = _queued(tmp_path, [{"url": gone.url, "secret_env": "S"},
                                  {"url": healthy.url, "secret_env": "S"}], stories=2)
    endpoints = load_endpoints(settings, {"S": secret})
    workers = [EndpointWorker(settings.db_path, e) for e in endpoints]
    for worker in workers:
        worker.run()
        worker.run()
    assert len(gone.requests) == 1
    assert len(healthy.accepted) == 2
    assert workers[0].disabled() and workers[0].due_in() is None
    listing = monitor(settings.config_path, "webhooks").stdout
    key = endpoints[0].key
    assert re.search(rf"{key}\s+1\s+1\s+0\s+0  {re.escape(gone.url)}  DISABLED since "
                     r"\S+Z: HTTP 410 Gone: endpoint disabled", listing), listing
    assert "endpoint disabled" in listing.splitlines()[-1]

    done = monitor(settings.config_path, "webhooks", "enable", gone.url)
    assert done.stdout == f"enabled endpoint {key}; its waiting deliveries are due now\n"
    gone.mode = "ok"
    workers[0].run()
    assert len(gone.accepted) == 2
    for worker in workers:
        worker.close()


# ---------------------------------------------------------------- scan, filters, retry


def test_scan_delivers_signed_alerts_to_each_endpoint_its_filter_lets_through(
        tmp_path: Path, receivers) -> None:  # noqa: ANN001
    secret, other = new_secret(), new_secret()
    everything, cancelled, one_person, calls = (
        receivers(secret), receivers(other), receivers(secret), receivers(secret))
    watch = _articles(tmp_path / "in", 2, ("postponed", "cancelled"))
    person = f"Amar {name(1, 1)}"
    config = write_config(tmp_path, [
        {"url": everything.url, "secret_env": "A"},
        {"url": cancelled.url, "secret_env": "B", "filter": {"statuses": ["cancelled"]}},
        {"url": one_person.url, "secret_env": "A", "filter": {"participants": [person]}},
        {"url": calls.url, "secret_env": "A", "filter": {"kinds": ["call", "vote"]}},
    ], watch_dir=str(watch), state_dir=str(tmp_path / "state"))
    done = monitor(config, "scan", env={"A": secret, "B": other})
    assert done.stderr.endswith("6 processed, 0 duplicates, 0 rejected, 6 alerts\n"
                                "webhooks: 11 delivered\n")
    alerts = [json.loads(line) for line in (tmp_path / "state/alerts.jsonl").open()]
    assert everything.accepted == alerts
    assert [a["to"] for a in cancelled.accepted] == ["cancelled", "cancelled"]
    assert {person} <= set(one_person.accepted[0]["story"]["participants"])
    assert [a["to"] for a in one_person.accepted] == ["planned", "postponed", "cancelled"]
    assert calls.requests == []
    assert sum(r.bad_signatures for r in (everything, cancelled, one_person)) == 0


def test_without_a_daemon_retry_sends_a_dead_delivery_itself(tmp_path: Path,
                                                            receivers) -> None:  # noqa: ANN001
    secret = new_secret()
    receiver = receivers(secret, mode=500)
    watch = _articles(tmp_path / "in", 1, ("postponed",))
    config = write_config(tmp_path, [{"url": receiver.url, "secret_env": "S",
                                      "max_attempts": 1}],
                          watch_dir=str(watch), state_dir=str(tmp_path / "state"))
    env = {"S": secret}
    done = monitor(config, "scan", env=env)
    assert done.stderr.endswith(
        "webhooks: 0 delivered, 1 dead (see `monitor webhooks`)\n")
    listing = monitor(config, "webhooks").stdout.splitlines()
    first, second = listing[-2:]
    assert re.fullmatch(r"\s+1  \w{8}  dead\s+1  -\s+.*: new -> planned\s+"
                        r"HTTP 500 Internal Server Error", first), first
    assert re.fullmatch(r"\s+2  \w{8}  pending\s+0  after #1\s+.*: planned -> postponed\s*",
                        second), second

    receiver.mode = "ok"
    done = monitor(config, "webhooks", "retry", "1", env=env)
    assert done.stdout == "1 delivery queued for retry\nwebhooks: 2 delivered\n"
    assert [a["to"] for a in receiver.accepted] == ["planned", "postponed"]
    assert monitor(config, "webhooks").stdout.endswith("no deliveries waiting\n")
    done = monitor(config, "webhooks", "retry", "1", env=env, check=False)
    assert (done.returncode, done.stderr) == (
        1, "monitor: no undelivered webhook delivery matches '1' (see `monitor webhooks`)\n")


def test_webhooks_without_endpoints_and_retry_without_a_target(tmp_path: Path) -> None:
    config = write_config(tmp_path, [], state_dir=str(tmp_path / "state"))
    assert monitor(config, "webhooks").stdout == (
        "no webhooks configured (add [[webhooks]] to the config)\n")
    assert monitor(config, "webhooks", "--json").stdout == "[]\n"
    done = monitor(config, "webhooks", "retry", check=False)
    assert done.returncode == 2
    assert done.stderr.endswith("Error: `monitor webhooks retry` takes one delivery ID or --all\n")


def test_secrets_never_reach_logs_json_or_the_database(tmp_path: Path,
                                                      receivers) -> None:  # noqa: ANN001
    secret = new_secret()
    receiver = receivers(secret, mode=500)
    watch = _articles(tmp_path / "in", 3)
    config = write_config(tmp_path, [{"url": receiver.url, "secret_env": "S"},
                                     {"url": f"http://127.0.0.1:{free_port()}/down",
                                      "secret_env": "S"}],
                          watch_dir=str(watch), state_dir=str(tmp_path / "state"),
                          log_level="debug")
    outputs = [monitor(config, "scan", env={"S": secret})]
    receiver.mode = "ok"
    outputs.append(monitor(config, "webhooks", "retry", "--all", env={"S": secret}))
    outputs.append(monitor(config, "webhooks", "--all", "--json"))
    outputs.append(monitor(config, "webhooks", "--all"))
    assert "connection failed: [Errno 111] Connection refused" in outputs[-1].stdout
    stored = b"".join(p.read_bytes() for p in (tmp_path / "state").iterdir() if p.is_file())
    key = secret.removeprefix("whsec_")
    for text in [*(o.stdout + o.stderr for o in outputs), stored.decode("latin-1")]:
        assert key not in text
    assert len(receiver.accepted) == 3


# ---------------------------------------------------------------- `webhooks test` and README


def _readme_receiver() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Webhooks", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_webhooks_test_reaches_the_readme_receiver_which_verifies_it(tmp_path: Path) -> None:
    code = _readme_receiver()
    assert len([line for line in code.splitlines() if line.strip()]) <= 15
    secret, port = new_secret(), free_port()
    script = tmp_path / "receiver.py"
    script.write_text(code)
    url = f"http://127.0.0.1:{port}/"
    config = write_config(tmp_path, [{"url": url, "secret_env": "HOOK_SECRET"}],
                          state_dir=str(tmp_path / "state"))
    server = subprocess.Popen([sys.executable, str(script)], text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE,
                              env={"PORT": str(port), "MONITOR_WEBHOOK_SECRET": secret})
    try:
        assert wait_for(lambda: monitor(config, "webhooks", "test", url, check=False,
                                        env={"HOOK_SECRET": secret}).returncode == 0)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    assert "Example–Sample meeting in Exampletown: planned -> postponed" in out, err

    done = monitor(config, "webhooks", "test", url, check=False,
                   env={"HOOK_SECRET": secret})
    assert done.returncode == 1
    assert done.stderr.startswith(f"monitor: test alert to {url} failed: connection failed: ")


def test_webhooks_test_signs_for_an_unconfigured_url_only_with_secret_env(
        tmp_path: Path, receivers) -> None:  # noqa: ANN001
    secret = new_secret()
    receiver = receivers(secret)
    config = write_config(tmp_path, [], state_dir=str(tmp_path / "state"))
    done = monitor(config, "webhooks", "test", receiver.url, check=False)
    assert (done.returncode, done.stderr) == (2, (
        f"monitor: {receiver.url} is not a configured webhook url; pass --secret-env NAME to "
        "sign with the secret in $NAME\n"))
    done = monitor(config, "webhooks", "test", receiver.url, "--secret-env", "MY_SECRET",
                   env={"MY_SECRET": secret})
    assert re.fullmatch(rf"sent a signed test alert to {re.escape(receiver.url)}: HTTP 204 in "
                        r"\d+ ms \(webhook-id test_[0-9a-f]{16}\)\n", done.stdout), done.stdout
    assert receiver.accepted[0]["test"] is True
    receiver.mode = 500
    done = monitor(config, "webhooks", "test", receiver.url, "--secret-env", "MY_SECRET",
                   env={"MY_SECRET": secret}, check=False)
    assert (done.returncode, done.stderr) == (1, (
        f"monitor: test alert to {receiver.url} failed: HTTP 500 Internal Server Error\n"))
