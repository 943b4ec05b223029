"""Webhook delivery by the real daemon (`monitor run` in a subprocess) to real receivers."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.receiver import (
    Receiver,
    monitor,
    new_secret,
    start_daemon,
    stop_daemon,
    wait_for,
    write_config,
)
from tests.writer import planned_article, status_article

pytestmark = pytest.mark.slow


def _alerts(state: Path) -> list[dict]:
    path = state / "alerts.jsonl"
    return [json.loads(line) for line in path.open()] if path.exists() else []


def _outbox(state: Path, url: str) -> list[tuple[str, str, int]]:
    """(webhook-id, state, attempts) of each outbox row of the endpoint with this URL."""
    with sqlite3.connect(state / "monitor.db") as conn:
        return conn.execute(
            "select o.message_id, o.state, o.attempts from webhook_outbox o "
            "join webhook_endpoints e on e.key = o.endpoint where e.url = ? order by o.id",
            [url]).fetchall()


def _waiting(config: Path) -> list[dict]:
    return json.loads(monitor(config, "webhooks", "--json").stdout)


@pytest.fixture
def setup(tmp_path: Path):  # noqa: ANN201
    receivers: list[Receiver] = []
    daemons = []

    def configure(hooks: list[dict], **settings: object) -> tuple[Path, Path, Path]:
        watch, state = tmp_path / "in", tmp_path / "state"
        watch.mkdir(exist_ok=True)
        config = write_config(tmp_path / "cfg", hooks, watch_dir=str(watch),
                              state_dir=str(state), webhook_poll_seconds=0.5, **settings)
        return config, watch, state

    yield configure, receivers, daemons
    for proc in daemons:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for receiver in receivers:
        receiver.stop()


def test_every_alert_of_a_50_article_run_arrives_signed_and_once(setup) -> None:  # noqa: ANN001
    configure, receivers, daemons = setup
    secret = new_secret()
    receiver = Receiver(secret).start()
    receivers.append(receiver)
    config, watch, state = configure([{"url": receiver.url, "secret_env": "HOOK_SECRET"}])
    env = {"HOOK_SECRET": secret}
    daemons.append(proc := start_daemon(config, state, env))
    for i in range(50):
        (watch / f"article-{i:02}.txt").write_text(planned_article(i))
    assert wait_for(lambda: len(receiver.accepted) >= 50, timeout=30), len(receiver.accepted)
    err = stop_daemon(proc)

    alerts = _alerts(state)
    assert len(alerts) == 50
    assert receiver.bad_signatures == 0
    assert sorted(receiver.accepted_ids()) == sorted(a["id"] for a in alerts)
    assert Counter(r.webhook_id for r in receiver.requests) == {a["id"]: 1 for a in alerts}
    assert {a["id"]: a for a in receiver.accepted} == {a["id"]: a for a in alerts}
    assert sorted(_outbox(state, receiver.url)) == sorted((a["id"], "delivered", 1)
                                                          for a in alerts)
    assert len({r.client for r in receiver.requests}) <= 3  # kept-alive connections
    assert secret.removeprefix("whsec_") not in err


def test_a_failing_endpoint_catches_up_in_story_order_while_another_gets_all_at_once(
        setup) -> None:  # noqa: ANN001
    configure, receivers, daemons = setup
    secret, healthy_secret = new_secret(), new_secret()
    flaky = Receiver(secret, hang_seconds=1.5)  # not listening yet: connections are refused
    healthy = Receiver(healthy_secret).start()
    receivers += [flaky, healthy]
    config, watch, state = configure([
        {"url": flaky.url, "secret_env": "FLAKY", "timeout": 0.5,
         "retry_schedule": [0, 0.3], "max_attempts": 1000},
        {"url": healthy.url, "secret_env": "HEALTHY"}])
    env = {"FLAKY": secret, "HEALTHY": healthy_secret}
    for i in range(3):
        (watch / f"{i}-a.txt").write_text(planned_article(i))
        (watch / f"{i}-b.txt").write_text(status_article(i, "postponed", "2025-03-12"))
        (watch / f"{i}-c.txt").write_text(status_article(i, "cancelled", "2025-03-14"))

    # down: the healthy endpoint gets all nine alerts promptly all the same
    daemons.append(proc := start_daemon(config, state, env))
    assert wait_for(lambda: len(healthy.accepted) == 9, timeout=10)
    alerts = _alerts(state)
    assert healthy.accepted == alerts
    assert wait_for(lambda: sum(r["attempts"] for r in _waiting(config)) >= 6)
    waiting = _waiting(config)
    assert {r["url"] for r in waiting} == {flaky.url}
    firsts = [r for r in waiting if r["waiting_for"] is None]
    assert [r["change"] for r in firsts] == ["new -> planned"] * 3
    assert all(r["last_error"].startswith("connection failed: ") for r in firsts)
    errs = [stop_daemon(proc)]

    # then 500, with the daemon restarted in between
    flaky.mode = 500
    flaky.start()
    daemons.append(proc := start_daemon(config, state, env))
    assert wait_for(lambda: len(flaky.requests) >= 4)
    # then it hangs past the timeout, while a new alert reaches the healthy one at once
    flaky.mode = "hang"
    assert wait_for(lambda: any(r.mode == "hang" for r in flaky.requests))
    (watch / "3-a.txt").write_text(planned_article(3))
    assert wait_for(lambda: len(healthy.accepted) == 10, timeout=5)
    assert wait_for(lambda: any(r["last_error"] == "timed out after 0.5 s"
                                for r in _waiting(config)))
    # and recovers
    flaky.mode = "ok"
    assert wait_for(lambda: len(flaky.accepted) == 10, timeout=20), len(flaky.accepted)
    errs.append(stop_daemon(proc))
    alerts = _alerts(state)
    assert len(alerts) == 10

    assert {r.mode for r in flaky.requests} >= {"500", "hang", "ok"}
    assert Counter(flaky.accepted_ids()) == {a["id"]: 1 for a in alerts}
    for story in {a["story"]["id"] for a in alerts}:
        expected = [a["id"] for a in alerts if a["story"]["id"] == story]
        assert [a["id"] for a in flaky.accepted if a["story"]["id"] == story] == expected
    assert healthy.accepted == alerts  # nothing sent twice across the restart
    assert _waiting(config) == []
    assert flaky.bad_signatures == healthy.bad_signatures == 0
    for err in errs:
        assert secret.removeprefix("whsec_") not in err
        assert "webhook delivery failed" in err


def test_a_dead_delivery_is_listed_and_arrives_after_retry(setup) -> None:  # noqa: ANN001
    configure, receivers, daemons = setup
    secret = new_secret()
    receiver = Receiver(secret, mode=500).start()
    receivers.append(receiver)
    config, watch, state = configure([{"url": receiver.url, "secret_env": "S",
                                       "retry_schedule": [0, 0.2], "max_attempts": 2}])
    env = {"S": secret}
    (watch / "a.txt").write_text(planned_article(1))
    (watch / "b.txt").write_text(status_article(1, "postponed", "2025-03-12"))
    daemons.append(proc := start_daemon(config, state, env))
    assert wait_for(lambda: [r["state"] for r in _waiting(config)] == ["dead", "pending"])
    dead, later = _waiting(config)
    assert (dead["attempts"], dead["last_error"]) == (2, "HTTP 500 Internal Server Error")
    assert (later["attempts"], later["waiting_for"]) == (0, dead["id"])
    listing = monitor(config, "webhooks").stdout
    assert f"    {dead['id']}  {dead['endpoint']}  dead" in listing
    assert "HTTP 500 Internal Server Error" in listing
    assert len(receiver.requests) == 2
    health = monitor(config, "health", check=False)
    assert health.returncode == 1
    assert health.stdout.strip().endswith(
        "1 webhook delivery is dead (see `monitor webhooks`, then `monitor webhooks retry`)")

    receiver.mode = "ok"
    done = monitor(config, "webhooks", "retry", str(dead["id"]))
    assert done.stdout == ("1 delivery queued for retry; the running monitor sends them "
                           "within 0.5 s\n")
    assert wait_for(lambda: len(receiver.accepted) == 2, timeout=10)
    assert [a["to"] for a in receiver.accepted] == ["planned", "postponed"]
    assert [a["id"] for a in receiver.accepted] == [dead["alert"], later["alert"]]
    assert _waiting(config) == []
    assert wait_for(lambda: monitor(config, "health", check=False).returncode == 0, timeout=10)
    stop_daemon(proc)
