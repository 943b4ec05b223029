"""Webhooks: every alert POSTed to each matching endpoint, by Standard Webhooks (v1).

    alert committed -> outbox rows (same transaction) -> one worker per endpoint -> POST

The outbox lives in monitor.db: each alert's body is serialised once
(`webhook_messages`) and each (alert, endpoint) pair is one `webhook_outbox` row,
inserted in the transaction that records the alert. A worker per endpoint,
run by an APScheduler interval job (and nudged when new alerts commit), sends
the due rows of its endpoint one at a time, oldest first; a story's later
alert waits until its earlier one succeeded at that endpoint. Failures are
retried on the endpoint's schedule plus jitter, across restarts, and a
delivery that used its last attempt is `dead` until `monitor webhooks retry`.

Secrets are read from the environment when an endpoint is loaded and kept in
memory only: never logged, stored or printed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import random
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import sqlite_utils
import structlog
from apscheduler.executors.pool import ThreadPoolExecutor as JobPool
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.errors import ConfigError, DeliveryNotFound, WebhookError
from monitor.settings import Settings, WebhookConfig

log = structlog.get_logger("monitor")

Clock = Callable[[], float]
EVENT_TYPE = "story.status_changed"
JITTER = 0.1  # up to this fraction of a delay is added at random
MAX_RETRY_AFTER = 86400.0  # a receiver's Retry-After is honoured up to a day
HONOUR_RETRY_AFTER = frozenset({429, 502, 503, 504})
USER_AGENT = "story-status-monitor-webhooks/1"
_READ_LIMIT = 4096  # bytes of a receiver's answer kept for the error message

# The states of an outbox row; `pending` and `failed` are waiting for an attempt.
WAITING = ("pending", "failed")


def iso(seconds: float) -> str:
    """Unix seconds as an ISO-8601 UTC string with a Z."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def display_url(url: str) -> str:
    """The URL without credentials, query or fragment: what logs and the database show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Secret:
    """A webhook signing key; its repr and str never show it."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.key = base64.b64decode(text.removeprefix("whsec_"), validate=True)

    def __repr__(self) -> str:
        return "Secret('whsec_…')"

    __str__ = __repr__

    def scrub(self, text: str) -> str:
        """Text with every form of this secret blanked out."""
        for form in (self._text, self._text.removeprefix("whsec_")):
            text = text.replace(form, "whsec_…")
        return text


def parse_secret(value: str) -> Secret:
    """A `whsec_<base64>` secret; raises ValueError (naming no part of it) otherwise."""
    if not value.startswith("whsec_"):
        raise ValueError("does not start with whsec_")
    try:
        secret = Secret(value)
    except (binascii.Error, ValueError):
        raise ValueError("does not hold base64 after whsec_") from None
    if not secret.key:
        raise ValueError("holds an empty key")
    return secret


@dataclass(frozen=True)
class Endpoint:
    """A configured endpoint with its secret, ready to sign."""

    config: WebhookConfig
    secret: Secret = field(repr=False)

    @property
    def key(self) -> str:
        """The endpoint's stable id (from its URL)."""
        return self.config.key

    @property
    def url(self) -> str:
        """The URL deliveries are POSTed to."""
        return self.config.url


def load_endpoints(settings: Settings,
                   environ: Mapping[str, str] | None = None) -> list[Endpoint]:
    """Every configured endpoint with its secret read from the environment.

    Raises ConfigError naming the variable (never its value) when one is unset or
    does not hold a `whsec_` secret.
    """
    env = os.environ if environ is None else environ
    endpoints = []
    for config in settings.webhooks:
        key = f"{config.where}.secret_env"
        value = env.get(config.secret_env)
        if not value:
            raise ConfigError(settings.config_path, key,
                              f"environment variable {config.secret_env} is not set",
                              f"export {config.secret_env} with the endpoint's whsec_... secret")
        try:
            secret = parse_secret(value)
        except ValueError as exc:
            raise ConfigError(settings.config_path, key,
                              f"environment variable {config.secret_env} {exc}",
                              "the endpoint's secret is whsec_ followed by base64") from None
        endpoints.append(Endpoint(config, secret))
    return endpoints


def matches(config: WebhookConfig, alert: dict[str, Any]) -> bool:
    """Whether an alert passes an endpoint's filter (every key given must match)."""
    story = alert["story"]
    if config.statuses and alert["to"] not in config.statuses:
        return False
    if config.kinds and story["kind"] not in config.kinds:
        return False
    if config.participants:
        wanted = {p.casefold() for p in config.participants}
        if not any(p.casefold() in wanted for p in story["participants"]):
            return False
    return True


def message_body(alert: dict[str, Any]) -> str:
    """The Standard Webhooks body of an alert, serialised once: compact JSON."""
    payload = {"type": EVENT_TYPE, "timestamp": alert["detected_at"], "data": alert}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def sign(secret: Secret, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: v1 and the base64 HMAC-SHA256 of id.timestamp.body."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sample_alert(now: float) -> dict[str, Any]:
    """A made-up alert for `monitor webhooks test`, in the alert format."""
    day = iso(now)[:10]
    return {"event": EVENT_TYPE, "id": "test_" + secrets.token_hex(8), "test": True,
            "story": {"id": "test", "title": "Example–Sample meeting in Exampletown",
                      "kind": "meeting", "name": None,
                      "participants": ["Alex Example", "Sam Sample"],
                      "location": "Exampletown"},
            "from": "planned", "to": "postponed", "effective": day,
            "evidence": {"text": "The meeting has been postponed, a test said.",
                         "article": "test.txt", "published": day, "source": "a test"},
            "detected_at": iso(now)}


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Outcome:
    """What one POST came to."""

    ok: bool
    status: int | None = None
    error: str = ""
    retry_after: float | None = None
    gone: bool = False
    seconds: float = 0.0


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def _clean(text: str, limit: int = 200) -> str:
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat[:limit] + ("…" if len(flat) > limit else "")


class Sender:
    """POSTs signed bodies to one endpoint over a kept-alive httpx client."""

    def __init__(self, endpoint: Endpoint, clock: Clock = time.time) -> None:
        self.endpoint = endpoint
        self.clock = clock
        self.client = httpx.Client(
            timeout=httpx.Timeout(endpoint.config.timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers={"user-agent": USER_AGENT, "content-type": "application/json"})

    def scrub(self, text: str) -> str:
        """Text with the secret and the URL's credentials blanked out."""
        text = self.endpoint.secret.scrub(text)
        return text.replace(self.endpoint.url, display_url(self.endpoint.url))

    def send(self, msg_id: str, body: str) -> Outcome:
        """POST the body once, signed for this attempt, and classify the answer."""
        data = body.encode()
        timestamp = int(self.clock())
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
                   "webhook-signature": sign(self.endpoint.secret, msg_id, timestamp, data)}
        started = time.monotonic()
        try:
            with self.client.stream("POST", self.endpoint.url, content=data,
                                    headers=headers) as response:
                answer = b""
                for chunk in response.iter_bytes():
                    answer += chunk
                    if len(answer) >= _READ_LIMIT:
                        break
        except httpx.TimeoutException:
            return Outcome(False, error=f"timed out after {self.endpoint.config.timeout:g} s",
                           seconds=time.monotonic() - started)
        except httpx.HTTPError as exc:
            kind = "connection failed" if isinstance(exc, httpx.TransportError) else "failed"
            return Outcome(False, error=self.scrub(f"{kind}: {exc}"),
                           seconds=time.monotonic() - started)
        seconds = time.monotonic() - started
        code = response.status_code
        if 200 <= code < 300:
            return Outcome(True, status=code, seconds=seconds)
        error = f"HTTP {code} {response.reason_phrase}".rstrip()
        if 300 <= code < 400:
            error += ": redirects are not followed"
        elif code == 410:
            error += ": endpoint disabled"
        elif snippet := _clean(answer.decode("utf-8", "replace")):
            error += f": {snippet}"
        retry_after = None
        if code in HONOUR_RETRY_AFTER:
            retry_after = _retry_after(response.headers.get("retry-after"), self.clock())
        return Outcome(False, status=code, error=self.scrub(error), retry_after=retry_after,
                       gone=code == 410, seconds=seconds)

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


def endpoint_for_test(settings: Settings, url: str, secret_env: str | None,
                  environ: Mapping[str, str] | None = None) -> Endpoint:
    """The endpoint `monitor webhooks test URL` signs for: the configured one with this
    URL, or any URL with the secret in the variable `secret_env`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"{url!r} is not an http:// or https:// URL", exit_code=2)
    configured = {c.url: c for c in settings.webhooks}
    if secret_env is None:
        if url not in configured:
            raise WebhookError(f"{display_url(url)} is not a configured webhook url; pass "
                               "--secret-env NAME to sign with the secret in $NAME",
                               exit_code=2)
        config = configured[url]
        return next(e for e in load_endpoints(replace(settings, webhooks=(config,)), environ))
    env = os.environ if environ is None else environ
    value = env.get(secret_env)
    if not value:
        raise WebhookError(f"environment variable {secret_env} is not set", exit_code=2)
    try:
        secret = parse_secret(value)
    except ValueError as exc:
        raise WebhookError(f"environment variable {secret_env} {exc}", exit_code=2) from None
    base = configured.get(url) or WebhookConfig(url=url, secret_env=secret_env)
    return Endpoint(replace(base, secret_env=secret_env), secret)


def send_test(endpoint: Endpoint, clock: Clock = time.time) -> tuple[str, Outcome]:
    """POST a signed sample alert to an endpoint; returns its webhook-id and the outcome."""
    alert = sample_alert(clock())
    sender = Sender(endpoint, clock)
    try:
        return alert["id"], sender.send(alert["id"], message_body(alert))
    finally:
        sender.close()


# ---------------------------------------------------------------- the outbox


@dataclass(frozen=True)
class Delivery:
    """One outbox row as `monitor webhooks` shows it."""

    id: int
    endpoint: str
    url: str
    alert: str
    story: str
    change: str
    state: str
    attempts: int
    next_attempt: str | None
    last_attempt: str | None
    last_status: int | None
    last_error: str | None
    waiting_for: int | None
    endpoint_disabled: str | None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `monitor webhooks --json`."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class EndpointState:
    """An endpoint's standing: configured or not, disabled or not, and its counts."""

    key: str
    url: str
    configured: bool
    disabled_at: str | None
    disabled_reason: str | None
    counts: dict[str, int]


_ELIGIBLE = """
    o.endpoint = :endpoint and o.state in ('pending', 'failed')
    and (o.claimed_until is null or o.claimed_until < :now)
    and not exists (select 1 from webhook_outbox e where e.endpoint = o.endpoint
                    and e.story_id = o.story_id and e.id < o.id and e.state != 'delivered')
"""


class Outbox:
    """The outbox tables through one connection: enqueue, list, retry, enable."""

    def __init__(self, db: sqlite_utils.Database, configs: tuple[WebhookConfig, ...] = (),
                 clock: Clock = time.time) -> None:
        self.db = db
        self.configs = configs
        self.clock = clock

    def register(self) -> None:
        """Record the configured endpoints (key and URL without credentials)."""
        if not self.configs:
            return
        with self.db.atomic():
            for config in self.configs:
                self.db.execute(
                    "insert into webhook_endpoints (key, url) values (?, ?) "
                    "on conflict(key) do update set url = excluded.url",
                    [config.key, display_url(config.url)])

    def enqueue(self, alert_id: str, story_id: str, alert: dict[str, Any]) -> int:
        """Queue an alert for every endpoint whose filter it passes; call inside the
        transaction that records the alert. Returns the number of rows queued."""
        targets = [c for c in self.configs if matches(c, alert)]
        if not targets:
            return 0
        now = self.clock()
        self.db.execute(
            "insert or ignore into webhook_messages (id, story_id, body, created_at) "
            "values (?, ?, ?, ?)", [alert_id, story_id, message_body(alert), iso(now)])
        queued = 0
        for config in targets:
            cursor = self.db.execute(
                "insert or ignore into webhook_outbox (message_id, endpoint, story_id, state, "
                "attempts, next_at, created_at) values (?, ?, ?, 'pending', 0, ?, ?)",
                [alert_id, config.key, story_id, now, iso(now)])
            queued += cursor.rowcount
        return queued

    def deliveries(self, include_delivered: bool = False) -> list[Delivery]:
        """Deliveries not yet made (or every one), oldest first, with their last error."""
        where = "" if include_delivered else "where o.state != 'delivered'"
        rows = self.db.execute(f"""
            select o.id, o.endpoint, coalesce(p.url, ''), o.message_id,
                   json_extract(m.body, '$.data.story.title'),
                   coalesce(json_extract(m.body, '$.data.from'), 'new') || ' -> '
                       || json_extract(m.body, '$.data.to'),
                   o.state, o.attempts, o.next_at, o.last_attempt_at, o.last_status,
                   o.last_error,
                   (select min(e.id) from webhook_outbox e where e.endpoint = o.endpoint
                    and e.story_id = o.story_id and e.id < o.id and e.state != 'delivered'),
                   p.disabled_at
            from webhook_outbox o join webhook_messages m on m.id = o.message_id
            left join webhook_endpoints p on p.key = o.endpoint
            {where} order by o.id""").fetchall()
        out = []
        for row in rows:
            (rid, endpoint, url, alert, story, change, state, attempts, next_at, last_at,
             status, error, waiting, disabled) = row
            waiting_for = waiting if state in WAITING else None
            due = None if state not in WAITING or waiting_for or disabled or next_at is None \
                else iso(next_at)
            out.append(Delivery(rid, endpoint, url, alert, story, change, state, attempts, due,
                                last_at, status, error, waiting_for, disabled))
        return out

    def endpoints(self) -> list[EndpointState]:
        """Every endpoint configured or known to the outbox, with its counts by state."""
        known = {key: (url, at, reason) for key, url, at, reason in self.db.execute(
            "select key, url, disabled_at, disabled_reason from webhook_endpoints")}
        counts: dict[str, dict[str, int]] = {}
        for key, state, n in self.db.execute(
                "select endpoint, state, count(*) from webhook_outbox group by 1, 2"):
            counts.setdefault(key, {})[state] = n
        configured = {c.key: c for c in self.configs}
        out = []
        for key in [*configured, *sorted(k for k in {*known, *counts} if k not in configured)]:
            url, disabled_at, reason = known.get(key, ("", None, None))
            if key in configured:
                url = display_url(configured[key].url)
            states = {s: counts.get(key, {}).get(s, 0)
                      for s in ("pending", "failed", "dead", "delivered")}
            out.append(EndpointState(key, url, key in configured, disabled_at, reason, states))
        return out

    def retry(self, target: str | None) -> list[int]:
        """Make undelivered deliveries due now with a fresh set of attempts.

        `target` is a delivery number or an alert id (or its prefix); None means every
        failed and dead delivery. Raises DeliveryNotFound when nothing matches.
        """
        if target is None:
            where, params = "state in ('failed', 'dead')", []
        elif target.isdigit():
            where, params = "id = ? and state != 'delivered'", [int(target)]
        else:
            where, params = "message_id like ? and state != 'delivered'", [target + "%"]
        with self.db.atomic():
            ids = [r[0] for r in self.db.execute(
                f"select id from webhook_outbox where {where} order by id", params)]
            if not ids and target is not None:
                raise DeliveryNotFound(target)
            self.db.conn.executemany(
                "update webhook_outbox set state = 'pending', attempts = 0, next_at = ?, "
                "claimed_until = null where id = ?", [(self.clock(), i) for i in ids])
        return ids

    def enable(self, url: str) -> str:
        """Re-enable an endpoint that answered 410 Gone; returns its key."""
        keys = {c.url: c.key for c in self.configs}
        key = keys.get(url)
        if key is None:
            raise WebhookError(f"{display_url(url)} is not a configured webhook url "
                               "(see `monitor webhooks`)")
        with self.db.atomic():
            self.db.execute("update webhook_endpoints set disabled_at = null, "
                            "disabled_reason = null where key = ?", [key])
            self.db.execute("update webhook_outbox set next_at = ? where endpoint = ? "
                            "and state in ('pending', 'failed')", [self.clock(), key])
        return key


# ---------------------------------------------------------------- delivering


@dataclass
class RunReport:
    """What a worker's pass over its due deliveries did."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0


@dataclass(frozen=True)
class _Due:
    id: int
    message_id: str
    attempts: int
    body: str


def backoff(schedule: tuple[float, ...], attempts: int, rng: random.Random) -> float:
    """Seconds to wait after `attempts` failed attempts: the schedule's next step plus jitter."""
    base = schedule[min(attempts, len(schedule) - 1)]
    return base * (1 + rng.uniform(0, JITTER))


class EndpointWorker:
    """Delivers one endpoint's due outbox rows, oldest first, over its own connection."""

    def __init__(self, db_path: Path, endpoint: Endpoint, *, clock: Clock = time.time,
                 rng: random.Random | None = None, sender: Sender | None = None) -> None:
        self.endpoint = endpoint
        self.config = endpoint.config
        self.clock = clock
        self.rng = rng or random.Random()
        self.sender = sender or Sender(endpoint, clock)
        # used by one thread at a time (the scheduler runs one instance of the job)
        self.conn = sqlite3.connect(db_path, timeout=10, isolation_level=None,
                                    check_same_thread=False)
        self.conn.execute("PRAGMA busy_timeout=10000")

    def close(self) -> None:
        """Close the HTTP client and the database connection."""
        self.sender.close()
        self.conn.close()

    def disabled(self) -> bool:
        """Whether the endpoint answered 410 Gone and has not been enabled since."""
        row = self.conn.execute("select disabled_at from webhook_endpoints where key = ?",
                                [self.endpoint.key]).fetchone()
        return bool(row and row[0])

    def _next(self, now: float) -> _Due | None:
        row = self.conn.execute(f"""
            select o.id, o.message_id, o.attempts, m.body
            from webhook_outbox o join webhook_messages m on m.id = o.message_id
            where {_ELIGIBLE} and o.next_at <= :now order by o.id limit 1""",
                                {"endpoint": self.endpoint.key, "now": now}).fetchone()
        return _Due(*row) if row else None

    def due_in(self) -> float | None:
        """Seconds until this endpoint's next delivery is due (None: nothing waiting)."""
        if self.disabled():
            return None
        now = self.clock()
        row = self.conn.execute(f"select min(o.next_at) from webhook_outbox o where {_ELIGIBLE}",
                                {"endpoint": self.endpoint.key, "now": now}).fetchone()
        return None if row[0] is None else row[0] - now

    def _claim(self, due: _Due, now: float) -> bool:
        # a lease, so that a `monitor scan` next to the daemon never sends a row twice
        cursor = self.conn.execute(
            "update webhook_outbox set claimed_until = ? where id = ? and state in "
            "('pending', 'failed') and (claimed_until is null or claimed_until < ?)",
            [now + self.config.timeout + 5, due.id, now])
        return cursor.rowcount == 1

    def _record(self, due: _Due, outcome: Outcome) -> str:
        now = self.clock()
        attempts = due.attempts + 1
        common = {"id": due.id, "attempts": attempts, "at": iso(now),
                  "status": outcome.status}
        self.conn.execute("BEGIN IMMEDIATE")  # waits (busy_timeout) for the pipeline's commit
        try:
            if outcome.ok:
                state = "delivered"
                self.conn.execute(
                    "update webhook_outbox set state = 'delivered', attempts = :attempts, "
                    "last_attempt_at = :at, last_status = :status, last_error = null, "
                    "delivered_at = :at, next_at = null, claimed_until = null where id = :id",
                    common)
            else:
                if outcome.gone:
                    state, next_at = "failed", now
                    self.conn.execute(
                        "update webhook_endpoints set disabled_at = ?, disabled_reason = ? "
                        "where key = ?", [iso(now), outcome.error, self.endpoint.key])
                elif attempts >= self.config.max_attempts:
                    state, next_at = "dead", None
                else:
                    delay = backoff(self.config.retry_schedule, attempts, self.rng)
                    if outcome.retry_after is not None:
                        delay = max(delay, min(outcome.retry_after, MAX_RETRY_AFTER))
                    state, next_at = "failed", now + delay
                self.conn.execute(
                    "update webhook_outbox set state = :state, attempts = :attempts, "
                    "last_attempt_at = :at, last_status = :status, last_error = :error, "
                    "next_at = :next_at, claimed_until = null where id = :id",
                    {**common, "state": state, "error": outcome.error, "next_at": next_at})
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        fields = {"endpoint": self.endpoint.key, "url": display_url(self.endpoint.url),
                  "delivery": due.id, "webhook_id": due.message_id, "attempt": attempts}
        if state == "delivered":
            log.debug("webhook delivered", status=outcome.status,
                      ms=round(outcome.seconds * 1000), **fields)
        elif outcome.gone:
            log.warning("webhook endpoint disabled", error=outcome.error, **fields)
        elif state == "dead":
            log.error("webhook delivery dead-lettered", error=outcome.error, **fields)
        else:
            log.warning("webhook delivery failed", error=outcome.error,
                        retry_at=iso(next_at or now), **fields)
        return state

    def run(self, stop: threading.Event | None = None, *,
            stop_after_failure: bool = False) -> RunReport:
        """Send every due delivery of this endpoint, oldest first, until none is due."""
        report = RunReport()
        while not (stop and stop.is_set()) and not self.disabled():
            now = self.clock()
            due = self._next(now)
            if due is None:
                break
            if not self._claim(due, now):
                continue
            outcome = self.sender.send(due.message_id, due.body)
            state = self._record(due, outcome)
            if state == "delivered":
                report.delivered += 1
                continue
            report.dead += state == "dead"
            report.failed += state != "dead"
            if stop_after_failure:
                break
        return report


class Dispatcher:
    """One delivery worker per endpoint, run by APScheduler in the background.

    Each endpoint has an interval job (every `poll_seconds`, which also picks up
    `monitor webhooks retry` from another process); `nudge()` runs the jobs at once
    after new alerts commit, and a job that leaves a retry due before its next
    poll schedules itself for then. The jobs run in a pool with a thread per
    endpoint, so a hanging endpoint holds up nothing but itself.
    """

    def __init__(self, db_path: Path, endpoints: list[Endpoint], *, poll_seconds: float = 2.0,
                 clock: Clock = time.time, rng: random.Random | None = None) -> None:
        self.poll_seconds = max(poll_seconds, 0.05)
        self.clock = clock
        self.workers = {e.key: EndpointWorker(db_path, e, clock=clock, rng=rng)
                        for e in endpoints}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._nudged: set[str] = set()
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        """Start the background jobs (a no-op without endpoints)."""
        if not self.workers:
            return
        # a nudge that meets a still-running job is skipped by APScheduler, which says so
        # at warning level; the job itself sees the nudge and loops, so that is noise
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        self._scheduler = BackgroundScheduler(
            executors={"default": JobPool(max_workers=len(self.workers))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC)
        for key in self.workers:
            self._scheduler.add_job(self._job, "interval", seconds=self.poll_seconds,
                                    args=[key], id=f"webhooks:{key}",
                                    next_run_time=datetime.now(UTC))
        self._scheduler.start()
        log.info("webhooks started", endpoints=[display_url(w.endpoint.url)
                                                for w in self.workers.values()])

    def _wake(self, key: str, delay: float = 0.0) -> None:
        if self._scheduler is None or self._stop.is_set():
            return
        when = datetime.fromtimestamp(time.time() + delay, UTC)
        try:
            self._scheduler.modify_job(f"webhooks:{key}", next_run_time=when)
        except Exception:  # noqa: BLE001 - the scheduler is shutting down; polling resumes
            return

    def nudge(self) -> None:
        """Have every endpoint look for due deliveries now (new alerts were committed)."""
        with self._lock:
            for key in self.workers:
                self._nudged.add(key)
                if key not in self._running:
                    self._wake(key)

    def _job(self, key: str) -> None:
        worker = self.workers[key]
        with self._lock:
            self._running.add(key)
            self._nudged.discard(key)
        due_in: float | None = None
        try:
            while not self._stop.is_set():
                worker.run(self._stop)
                due_in = worker.due_in()
                with self._lock:
                    again = key in self._nudged or (due_in is not None and due_in <= 0)
                    self._nudged.discard(key)
                    if not again:
                        self._running.discard(key)
                        break
        except Exception as exc:  # noqa: BLE001 - logged; the next poll tries again
            log.error("webhook worker error", endpoint=key, error=worker.sender.scrub(
                f"{type(exc).__name__}: {exc}"))
        finally:
            with self._lock:
                self._running.discard(key)
        if due_in is not None and 0 < due_in < self.poll_seconds:
            self._wake(key, due_in)

    def deliver_once(self) -> RunReport:
        """One pass over every endpoint in parallel, each stopping at its first failure
        (what `monitor scan` and `monitor webhooks retry` do without a daemon)."""
        total = RunReport()
        if not self.workers:
            return total
        with ThreadPoolExecutor(max_workers=len(self.workers)) as pool:
            reports = list(pool.map(lambda w: w.run(stop_after_failure=True),
                                    self.workers.values()))
        for report in reports:
            total.delivered += report.delivered
            total.failed += report.failed
            total.dead += report.dead
        return total

    def stop(self) -> None:
        """Stop the jobs, wait for deliveries in flight, and close every connection."""
        self._stop.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        for worker in self.workers.values():
            worker.close()
