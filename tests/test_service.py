"""Running unattended: the systemd unit, sd_notify, health, reload, file modes, log rotation."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.systemd import Notifier, watchdog_interval
from tests.daemon_process import (
    CONFIG_DIR,
    DaemonProcess,
    NotifyListener,
    alert_lines,
    monitor_cli,
    require_tool,
    wait_for,
    write_config,
)
from tests.writer import name, planned_article


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the notifier on its own -------------------------------------------------------------

def test_notifier_without_notify_socket_does_nothing() -> None:
    notifier = Notifier.from_environ({})
    assert not notifier.enabled
    assert notifier.ready() is False and notifier.watchdog() is False


def test_notifier_sends_to_an_abstract_socket() -> None:
    name_ = f"monitor-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name_)
        sock.settimeout(2)
        notifier = Notifier.from_environ({"NOTIFY_SOCKET": "@" + name_})
        assert notifier.reloading(monotonic_usec=123) is True
        assert sock.recv(100) == b"RELOADING=1\nMONOTONIC_USEC=123"
        assert notifier.ready(status="watching") is True
        assert sock.recv(100) == b"READY=1\nSTATUS=watching"


def test_watchdog_interval_is_half_of_watchdog_usec_for_this_pid() -> None:
    assert watchdog_interval({"WATCHDOG_USEC": "60000000"}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"}, pid=1) == 0.2
    assert watchdog_interval({"WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"}, pid=2) is None
    assert watchdog_interval({}) is None


# --- the unit, the user and the logrotate config ------------------------------------------

def test_unit_passes_systemd_analyze_verify_without_a_warning(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    unit = (CONFIG_DIR / "monitor.service").read_text()
    assert "ExecStart=/opt/monitor/.venv/bin/monitor run\n" in unit
    # verify needs an ExecStart that exists here: the project's own interpreter
    local = tmp_path / "monitor.service"
    local.write_text(unit.replace("/opt/monitor/.venv/bin/monitor run",
                                  f"{sys.executable} -m monitor run"))
    done = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    settings = dict(line.split("=", 1) for line in unit.splitlines()
                    if "=" in line and not line.startswith("#"))
    for key, value in {"Type": "notify", "NotifyAccess": "main", "Restart": "on-failure",
                       "ExecReload": "/bin/kill -HUP $MAINPID", "StateDirectory": "monitor",
                       "LogsDirectory": "monitor", "ProtectSystem": "strict",
                       "ProtectHome": "yes", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
                       "User": "monitor"}.items():
        assert settings.get(key) == value, key
    assert int(settings["WatchdogSec"]) > 0


def test_unit_with_an_unknown_key_is_caught(tmp_path: Path) -> None:
    """The check above relies on verify printing a warning (its exit code stays 0)."""
    analyze = require_tool("systemd-analyze")
    unit = (CONFIG_DIR / "monitor.service").read_text().replace(
        "/opt/monitor/.venv/bin/monitor run", f"{sys.executable} -m monitor run")
    (tmp_path / "monitor.service").write_text(unit.replace("[Service]\n",
                                                           "[Service]\nRestartt=always\n"))
    done = subprocess.run([analyze, "verify", str(tmp_path / "monitor.service")],
                          capture_output=True, text=True, timeout=60)
    assert "Unknown key 'Restartt'" in done.stdout + done.stderr


def test_sysusers_creates_the_static_user(tmp_path: Path) -> None:
    sysusers = require_tool("systemd-sysusers")
    (tmp_path / "etc").mkdir()
    subprocess.run([sysusers, f"--root={tmp_path}", str(CONFIG_DIR / "monitor-sysusers.conf")],
                   check=True, capture_output=True, timeout=60)
    passwd = (tmp_path / "etc" / "passwd").read_text()
    assert re.search(r"^monitor:x:\d+:\d+:Story status monitor:/var/lib/monitor:", passwd, re.M)
    assert re.search(r"^monitor:x:\d+:", (tmp_path / "etc" / "group").read_text(), re.M)


# --- the daemon playing with systemd ------------------------------------------------------

@pytest.mark.slow
def test_daemon_tells_systemd_ready_watchdog_reloading_and_stopping(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.toml")
    watch, state = tmp_path / "in", tmp_path / "state"
    watch.mkdir()
    for i in range(1, 21):
        (watch / f"{i:02}.txt").write_text(planned_article(i))
    listener = NotifyListener(tmp_path / "notify.sock")
    daemon = DaemonProcess(config, env={"NOTIFY_SOCKET": str(listener.path),
                                        "WATCHDOG_USEC": "400000"}).start()
    try:
        ready_at, ready = listener.wait("READY")
        assert len(alert_lines(state)) == 20  # the catch-up was done before READY=1
        assert ready["STATUS"] == f"watching {watch}: 20 articles, 20 alerts since start"

        time.sleep(1.3)
        pings = [t for t, _ in listener.received("WATCHDOG", since=ready_at)]
        assert len(pings) >= 5
        assert max(b - a for a, b in zip(pings, pings[1:], strict=False)) < 0.45

        asked = time.monotonic()
        daemon.signal(signal.SIGHUP)
        reloading_at, reloading = listener.wait("RELOADING", since=asked)
        assert reloading["RELOADING"] == "1"
        assert abs(int(reloading["MONOTONIC_USEC"]) / 1e6 - reloading_at) < 1.0
        listener.wait("READY", since=reloading_at)
        assert wait_for(lambda: daemon.events("reloaded"))

        shutil.rmtree(watch)  # the watched folder is gone: unhealthy, so no more WATCHDOG=1
        assert wait_for(lambda: daemon.events("unhealthy"))
        unhealthy_at = time.monotonic()
        time.sleep(1.0)
        assert listener.received("WATCHDOG", since=unhealthy_at + 0.1) == []
        health = monitor_cli(config, "health")
        assert health.returncode == 1
        assert health.stdout.startswith("unhealthy: ")
        assert f"the file-system observer has stopped watching {watch}" in health.stdout

        asked = time.monotonic()
        assert daemon.stop() == 0
        listener.wait("STOPPING", since=asked, timeout=1)
    finally:
        daemon.kill()
        listener.close()


@pytest.mark.slow
def test_sigterm_during_the_catch_up_stops_promptly_and_a_restart_finishes(
        tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.toml")
    watch, state = tmp_path / "in", tmp_path / "state"
    watch.mkdir()
    for i in range(1, 401):
        (watch / f"{i:03}.txt").write_text(planned_article(i))
    listener = NotifyListener(tmp_path / "notify.sock")
    daemon = DaemonProcess(config, env={"NOTIFY_SOCKET": str(listener.path),
                                        "WATCHDOG_USEC": "400000"})
    try:
        daemon.start()
        listener.wait("EXTEND_TIMEOUT_USEC")  # catching up, and asking for time to do so
        asked = time.monotonic()
        daemon.signal(signal.SIGTERM)
        assert daemon.proc is not None and daemon.proc.wait(10) == 0
        listener.wait("STOPPING", since=asked, timeout=1)
        assert listener.received("READY") == []
        assert 0 < len(alert_lines(state)) < 400

        daemon.start()
        assert wait_for(lambda: len(alert_lines(state)) == 400, timeout=60)
        assert len({a["id"] for a in alert_lines(state)}) == 400
        assert daemon.stop() == 0
    finally:
        daemon.kill()
        listener.close()


@pytest.mark.slow
def test_health_follows_the_daemon_and_state_files_are_owner_only(tmp_path: Path) -> None:
    config = write_config(tmp_path / "monitor.toml")
    watch, state = tmp_path / "in", tmp_path / "state"
    watch.mkdir()
    never = monitor_cli(config, "health")
    assert (never.returncode, never.stdout) == (
        1, f"unhealthy: no daemon has run on {state} (no status.json)\n")

    daemon = DaemonProcess(config, umask=0).start()  # modes must not depend on the umask
    try:
        healthy = re.compile(rf"healthy: daemon pid {daemon.pid} running since \S+Z; "
                             r"last folder scan \d+ s ago; 1 articles, 1 alerts, 0 rejected "
                             r"since start\n")
        (watch / "1.txt").write_text(planned_article(1))
        assert wait_for(lambda: healthy.fullmatch(monitor_cli(config, "health").stdout))
        report = json.loads(monitor_cli(config, "health", "--json").stdout)
        assert report["healthy"] is True and report["status"]["pid"] == daemon.pid

        assert _mode(state) == 0o700
        for owner_only in ["monitor.db", "monitor.db-wal", "monitor.db-shm", "monitor.lock",
                           "status.json"]:
            assert _mode(state / owner_only) == 0o600, owner_only
        assert _mode(state / "alerts.jsonl") == 0o640

        daemon.signal(signal.SIGSTOP)  # hung: the heartbeat goes stale
        hung = re.compile(rf"unhealthy: the daemon \(pid {daemon.pid}\) is not responding "
                          r"\(last heartbeat \d+ s ago; one is due every 0.2 s\)\n")
        assert wait_for(lambda: hung.fullmatch(monitor_cli(config, "health").stdout), 10)
        assert monitor_cli(config, "health").returncode == 1
        daemon.signal(signal.SIGCONT)
        assert wait_for(lambda: monitor_cli(config, "health").returncode == 0)

        daemon.kill()
        died = monitor_cli(config, "health")
        assert died.returncode == 1
        assert re.fullmatch(rf"unhealthy: the daemon is not running \(pid {daemon.pid} died "
                            r"without stopping; last heartbeat at \S+Z\)\n", died.stdout)

        daemon.start()  # restarted after the crash
        assert wait_for(lambda: monitor_cli(config, "health").returncode == 0)
        assert daemon.stop() == 0
        stopped = monitor_cli(config, "health")
        assert stopped.returncode == 1
        assert re.fullmatch(r"unhealthy: the daemon is not running \(it stopped at \S+Z\)\n",
                            stopped.stdout)
    finally:
        daemon.kill()


# --- reload --------------------------------------------------------------------------------

def _service_config(tmp_path: Path, **values: object) -> Path:
    """A copy of config/ whose lexicons and watchlist a test may edit."""
    shutil.copytree(CONFIG_DIR, tmp_path / "config")
    return write_config(tmp_path / "config" / "monitor.toml", watch_dir=tmp_path / "in",
                        state_dir=tmp_path / "state", watchlist=["watchlist"],
                        places="places.toml", lexicon_dir="lexicon", **values)


def _freezer(i: int, day: str = "2025-03-10") -> str:
    return (f" date {day} The meeting between President Amar {name(i, 1)} and Prime Minister "
            f"Lena {name(i, 2)} in Geneva has been put in the freezer, officials said.\n")


def _nickname(i: int, day: str = "2025-03-10") -> str:
    return (f" date {day} Zorblat and Prime Minister Lena {name(i, 2)} will meet in Geneva "
            f"next week, officials said.\n")


@pytest.mark.slow
def test_sighup_reloads_config_watchlist_and_lexicons_and_refuses_a_broken_one(
        tmp_path: Path) -> None:
    config = _service_config(tmp_path, max_article_bytes=300)
    good_config = config.read_text()
    watch, state = tmp_path / "in", tmp_path / "state"
    watch.mkdir()
    listener = NotifyListener(tmp_path / "notify.sock")
    daemon = DaemonProcess(config, env={"NOTIFY_SOCKET": str(listener.path)}).start()

    def reload() -> None:
        asked = time.monotonic()
        daemon.signal(signal.SIGHUP)
        reloading_at, _ = listener.wait("RELOADING", since=asked)
        listener.wait("READY", since=reloading_at)

    def handled() -> int:
        status = json.loads((state / "status.json").read_text())
        return status["articles"] + status["rejected"]

    try:
        listener.wait("READY")
        long_text = planned_article(1) + "More talks are expected.\n" * 10
        (watch / "long.txt").write_text(long_text)
        (watch / "freezer-1.txt").write_text(_freezer(1))
        (watch / "nickname-1.txt").write_text(_nickname(3))
        assert wait_for(lambda: handled() == 3)
        before = alert_lines(state)  # the cue is unknown; the nickname is at most a stranger
        assert [a for a in before if a["to"] == "paused"
                or "Amar Quendor" in a["story"]["participants"]] == []
        assert [r["reason"] for r in json.loads(monitor_cli(config, "rejected", "--json").stdout)
                ] == [f"too large ({len(long_text)} bytes; max_article_bytes is 300)"]

        config.write_text(good_config.replace("max_article_bytes = 300",
                                              "max_article_bytes = 100000"))
        (config.parent / "lexicon" / "statuses-extra.toml").write_text(
            '[paused]\ncues = ["put in the freezer"]\n')
        (config.parent / "watchlist" / "extra.toml").write_text(
            '[[entity]]\nname = "Amar Quendor"\ntype = "person"\naliases = ["Zorblat"]\n')
        reload()
        assert daemon.events("reloaded")
        (watch / "long-2.txt").write_text(long_text.replace("expected", "likely"))
        (watch / "freezer-2.txt").write_text(_freezer(2))
        (watch / "nickname-2.txt").write_text(_nickname(4))
        assert wait_for(lambda: len(alert_lines(state)) == len(before) + 3)
        by_file = {a["evidence"]["article"]: a for a in alert_lines(state)}
        assert by_file["long-2.txt"]["to"] == "planned"
        assert by_file["freezer-2.txt"]["to"] == "paused"
        assert by_file["nickname-2.txt"]["story"]["participants"] == [
            "Amar Quendor", f"Lena {name(4, 2)}"]

        config.write_text("max_article_bytes = \n")  # broken: refused, the running one kept
        reload()
        refused = daemon.events("reload refused, keeping the running configuration")
        assert len(refused) == 1
        assert refused[0]["level"] == "error"
        assert refused[0]["error"].startswith(f"{config}: not valid TOML")
        (watch / "freezer-3.txt").write_text(_freezer(5))
        assert wait_for(lambda: len(alert_lines(state)) == len(before) + 4)
        assert alert_lines(state)[-1]["to"] == "paused"

        config.write_text(good_config)
        (config.parent / "lexicon" / "statuses-extra.toml").write_text("[paused\n")
        reload()
        refused = daemon.events("reload refused, keeping the running configuration")
        assert len(refused) == 2
        assert "statuses-extra.toml" in refused[1]["error"]

        (config.parent / "lexicon" / "statuses-extra.toml").unlink()
        config.write_text(good_config.replace(str(watch), str(tmp_path / "elsewhere")))
        reload()
        restart_only = daemon.events("reloaded; these settings change only on restart")
        assert [e["settings"] for e in restart_only] == [["watch_dir"]]
        (watch / "still-watched.txt").write_text(planned_article(6))
        assert wait_for(lambda: len(alert_lines(state)) == len(before) + 5)
        assert daemon.stop() == 0
    finally:
        daemon.kill()
        listener.close()


# --- log rotation --------------------------------------------------------------------------

@pytest.mark.slow
def test_logrotate_rename_and_create_sends_the_next_alert_to_the_new_file(
        tmp_path: Path) -> None:
    logrotate = require_tool("logrotate")
    watch, state, logs = tmp_path / "in", tmp_path / "state", tmp_path / "log"
    watch.mkdir()
    logs.mkdir()
    config = write_config(tmp_path / "monitor.toml", log_file=logs / "monitor.log")
    user = f"{os.getuid()} {os.getgid()}" if os.getuid() else "root root"
    shipped = (CONFIG_DIR / "logrotate.conf").read_text()
    conf = tmp_path / "logrotate.conf"
    conf.write_text(shipped.replace("/var/lib/monitor/", f"{state}/")
                    .replace("/var/log/monitor/", f"{logs}/")
                    .replace("monitor monitor", user))
    daemon = DaemonProcess(config).start()
    log = logs / "monitor.log"
    try:
        assert wait_for(lambda: daemon.running(state))
        (watch / "1.txt").write_text(planned_article(1))
        assert wait_for(lambda: len(alert_lines(state)) == 1)
        assert wait_for(lambda: '"article": "1.txt"' in log.read_text())
        done = subprocess.run([logrotate, "--force", "--state", str(tmp_path / "lr.state"),
                               str(conf)], capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, "")
        assert [a["evidence"]["article"] for a in alert_lines(state, "alerts.jsonl.1")] == [
            "1.txt"]
        assert (state / "alerts.jsonl").read_text() == ""  # created by logrotate
        assert _mode(state / "alerts.jsonl") == 0o640
        assert '"article": "1.txt"' in (logs / "monitor.log.1").read_text()
        assert _mode(log) == 0o640

        (watch / "2.txt").write_text(planned_article(2))
        assert wait_for(lambda: len(alert_lines(state)) == 1)
        assert [a["evidence"]["article"] for a in alert_lines(state)] == ["2.txt"]
        assert len(alert_lines(state, "alerts.jsonl.1")) == 1
        assert wait_for(lambda: '"article": "2.txt"' in log.read_text())
        assert '"article": "2.txt"' not in (logs / "monitor.log.1").read_text()
        assert daemon.stop() == 0
    finally:
        daemon.kill()
