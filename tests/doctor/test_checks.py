"""The doctor's checks one by one, against real files, a real broker and real databases."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import parse_config
from agent.doctor import CheckResult, Status, run_checks, unit_environ
from agent.doctor.local import check_anthropic_key, check_database, check_state_dir
from agent.doctor.network import check_broker
from agent.doctor.result import DoctorContext
from tests.doctor.conftest import KEY_VAR
from tests.support.broker import Broker, free_port


def _ctx(tmp_path: Path, **sections: object) -> DoctorContext:
    data: dict[str, object] = {"hearth": {"state_dir": str(tmp_path / "state")}, **sections}
    return DoctorContext(config=parse_config(data), config_path=None, environ={}, timeout=2.0)


def _by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


@pytest.fixture
def auth_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A Mosquitto that refuses anonymous clients and knows one user, hearth/s3cret."""
    b = Broker(tmp_path_factory.mktemp("authbroker"))
    passwords = b.workdir / "passwords"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwords), "hearth", "s3cret"],
                   check=True, capture_output=True, timeout=30)
    passwords.chmod(0o600)
    # `user root`: started as root, mosquitto would otherwise switch to its own user, which
    # cannot read pytest's private temporary directory. Ignored when not started as root.
    b.conf.write_text(b.conf.read_text().replace(
        "allow_anonymous true\n",
        f"allow_anonymous false\npassword_file {passwords}\nuser root\n"))
    try:
        b.start()
        yield b
    finally:
        b.stop()


async def test_broker_refuses_wrong_password_and_anonymous(
    tmp_path: Path, auth_broker: Broker
) -> None:
    pw = tmp_path / "mqtt_password"
    pw.write_text("wrong")
    pw.chmod(0o600)
    mqtt = {"host": "127.0.0.1", "port": auth_broker.port}
    wrong = await check_broker(_ctx(tmp_path, mqtt={**mqtt, "username": "hearth",
                                                    "password": {"file": str(pw)}}))
    assert wrong.status is Status.FAIL
    assert f"127.0.0.1:{auth_broker.port} refused user 'hearth'" in wrong.detail
    assert "mqtt.username and mqtt.password" in wrong.fix
    assert "wrong" not in wrong.detail + wrong.fix
    anonymous = await check_broker(_ctx(tmp_path, mqtt=mqtt))
    assert anonymous.status is Status.FAIL and "refused anonymous clients" in anonymous.detail
    pw.write_text("s3cret\n")
    right = await check_broker(_ctx(tmp_path, mqtt={**mqtt, "username": "hearth",
                                                    "password": {"file": str(pw)}}))
    assert right == CheckResult.ok(
        "mqtt broker", f"connected to 127.0.0.1:{auth_broker.port} as hearth")


async def test_broker_accepting_anonymous_clients_warns_when_mqtt_approval_is_on(
    tmp_path: Path, running_broker: Broker, auth_broker: Broker
) -> None:
    """Issue 13: approval over MQTT is only safe on a broker with auth and ACLs."""
    open_mqtt = {"host": "127.0.0.1", "port": running_broker.port}
    off = await check_broker(_ctx(tmp_path, mqtt=open_mqtt))
    assert off.status is Status.PASS  # approval over MQTT is off: nothing to approve there
    on = await check_broker(_ctx(tmp_path, mqtt=open_mqtt, approval={"mqtt": True}))
    assert on.status is Status.WARN and "ACCEPTS ANONYMOUS CLIENTS" in on.detail
    assert "acl.example" in on.fix and "approval.mqtt = false" in on.fix
    # With a username hearth gets in as itself; the check then tries anonymously.
    pw = tmp_path / "mqtt_password"
    pw.write_text("s3cret")
    pw.chmod(0o600)
    user = {"username": "hearth", "password": {"file": str(pw)}}
    open_with_user = await check_broker(_ctx(tmp_path, mqtt={**open_mqtt, **user},
                                             approval={"mqtt": True}))
    assert open_with_user.status is Status.WARN
    locked = await check_broker(_ctx(tmp_path, mqtt={"host": "127.0.0.1",
                                                      "port": auth_broker.port, **user},
                                     approval={"mqtt": True}))
    assert locked == CheckResult.ok(
        "mqtt broker", f"connected to 127.0.0.1:{auth_broker.port} as hearth")


async def test_broker_password_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    pw = tmp_path / "mqtt_password"
    pw.write_text("s3cret")
    pw.chmod(0o644)
    result = await check_broker(_ctx(tmp_path, mqtt={"username": "u",
                                                     "password": {"file": str(pw)}}))
    assert result.status is Status.FAIL and "readable by group or others" in result.detail


async def test_something_else_on_the_broker_port(tmp_path: Path) -> None:
    # A listener that accepts TCP and says nothing: not an MQTT broker.
    import asyncio

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        ctx = _ctx(tmp_path, mqtt={"host": "127.0.0.1", "port": port})
        ctx = DoctorContext(config=ctx.config, config_path=None, environ={}, timeout=0.5)
        result = await check_broker(ctx)
    finally:
        server.close()
        await server.wait_closed()
    assert result.status is Status.FAIL
    assert "sent no MQTT answer within 0.5 s" in result.detail
    assert "mqtt.tls" in result.fix


def test_database_states(tmp_path: Path) -> None:
    from agent.db import Database, migrate

    ctx = _ctx(tmp_path)
    fresh = check_database(ctx)
    assert fresh.status is Status.PASS and "ledger.db yet" in fresh.detail
    assert not (tmp_path / "state").exists()  # the doctor created nothing

    Database.open(None, tmp_path / "state").close()
    db_file = tmp_path / "state" / "ledger.db"
    current = check_database(ctx)
    assert current.status is Status.PASS
    assert f"at schema {migrate.head_revision()} (current)" in current.detail

    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001_ledger'")
    older = check_database(ctx)
    assert older.status is Status.PASS
    assert f"upgrades it to {migrate.head_revision()}" in older.detail

    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    newer = check_database(ctx)
    assert newer.status is Status.FAIL and "9999_from_the_future" in newer.detail
    assert "never downgrade" in newer.fix


def test_corrupt_database_fails(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "ledger.db").write_bytes(b"this is not a database" * 100)
    result = check_database(_ctx(tmp_path))
    assert result.status is Status.FAIL
    assert "cannot read" in result.detail and "backup" in result.fix


def test_unreachable_postgres_fails(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://hearth:pgsecret@127.0.0.1:{free_port()}/ledger"
    result = check_database(_ctx(tmp_path, ledger={"url": url}))
    assert result.status is Status.FAIL
    assert "ledger.url" in result.fix
    assert "pgsecret" not in result.detail


@pytest.mark.postgres
def test_reachable_postgres_passes(tmp_path: Path) -> None:
    import psycopg

    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {exc}")
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    result = check_database(_ctx(tmp_path, ledger={"url": url}))
    assert result.status is Status.PASS, result


def test_state_dir_open_to_others_fails(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    result = check_state_dir(_ctx(tmp_path))
    assert result.status is Status.FAIL
    assert result.fix == f"chmod 700 {state}"
    state.chmod(0o700)
    assert check_state_dir(_ctx(tmp_path)).status is Status.PASS


def test_state_dir_that_is_a_file_fails(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("oops")
    result = check_state_dir(_ctx(tmp_path))
    assert result.status is Status.FAIL and "not a directory" in result.detail


@pytest.mark.parametrize(("key", "said"), [
    ("sk-ant-oat01-SubscriptionTokenSubscriptionToken", "OAuth token"),
    ("sk-ant-admin01-AdminKeyAdminKeyAdminKey", "admin key"),
    ("not-a-key-at-all-not-a-key", "does not start with sk-ant-api"),
])
def test_refused_keys_fail_without_showing_them(
    tmp_path: Path, key: str, said: str
) -> None:
    ctx = _ctx(tmp_path, anthropic={"api_key": {"env": KEY_VAR}})
    ctx = DoctorContext(config=ctx.config, config_path=None, environ={KEY_VAR: key})
    result = check_anthropic_key(ctx)
    assert result.status is Status.FAIL
    assert said in result.detail
    assert key[10:] not in result.detail + result.fix
    assert "sk-ant-api" in result.fix


def test_oauth_variable_in_environment_fails(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    ctx = DoctorContext(config=ctx.config, config_path=None,
                        environ={"ANTHROPIC_API_KEY": "sk-ant-api03-fine",
                                 "CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-xxxxxxxxxxxx"})
    result = check_anthropic_key(ctx)
    assert result.status is Status.FAIL and "CLAUDE_CODE_OAUTH_TOKEN is set" in result.detail


def test_key_check_skips_when_no_tier_uses_claude(tmp_path: Path) -> None:
    tiers = {name: {"backend": "ollama", "model": "qwen2.5:1.5b"}
             for name in ("local", "fast", "deep")}
    result = check_anthropic_key(_ctx(tmp_path, tiers=tiers))
    assert result.status is Status.SKIP


def _tool(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


async def test_clock_synchronisation_is_read_from_timedatectl(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')

    async def clock(command: str, systemd_dir: Path = tmp_path) -> CheckResult:
        results = await run_checks(cfg, environ={}, timeout=2, clock_command=(command,),
                                   systemd_dir=systemd_dir)
        return _by_name(results)["clock"]

    unsynced = await clock(_tool(tmp_path, "no", "echo no"))
    assert unsynced.status is Status.FAIL and "not NTP-synchronised" in unsynced.detail
    assert "timedatectl set-ntp true" in unsynced.fix
    synced = await clock(_tool(tmp_path, "yes", "echo yes"))
    assert synced.status is Status.PASS and synced.detail.startswith("NTP-synchronised")
    broken = await clock(_tool(tmp_path, "broken", "echo 'Failed to connect to bus' >&2; exit 1"))
    assert broken.status is Status.PASS
    assert broken.detail.endswith("(synchronisation unknown: timedatectl could not tell)")
    assert "Failed to connect" not in broken.detail
    missing = await clock(str(tmp_path / "no-such-tool"))
    assert missing.status is Status.PASS and "plausible date" in missing.detail
    assert missing.detail.endswith("(synchronisation unknown: no timedatectl)")


async def test_clock_outside_systemd_does_not_quote_timedatectl(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')
    tool = _tool(tmp_path, "tdctl", "echo 'System has not been booted with systemd' >&2; exit 1")
    results = await run_checks(cfg, environ={}, timeout=2, clock_command=(tool,),
                               systemd_dir=tmp_path / "no-systemd")
    clock = _by_name(results)["clock"]
    assert clock.status is Status.PASS
    assert clock.detail.endswith("(synchronisation unknown: no systemd here: sync not checked)")
    assert "booted" not in clock.detail


async def test_low_disk_fails(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[hearth]\nstate_dir = "{tmp_path / "state"}"\n')
    results = await run_checks(cfg, environ={}, timeout=1, clock_command=None,
                               min_free_bytes=1 << 62)
    disk = _by_name(results)["free disk"]
    assert disk.status is Status.FAIL and "MiB free" in disk.detail
    assert "journalctl --vacuum-size" in disk.fix


def test_the_units_config_means_the_units_directories() -> None:
    env = unit_environ(Path("/etc/hearth/config.toml"), {"PATH": "/bin"})
    assert env == {"PATH": "/bin", "STATE_DIRECTORY": "/var/lib/hearth",
                   "RUNTIME_DIRECTORY": "/run/hearth"}
    assert unit_environ(Path("/home/me/hearth.toml"), {}) == {}
    assert unit_environ(Path("/etc/hearth/../hearth/./config.toml"), {})["STATE_DIRECTORY"] \
        == "/var/lib/hearth"
    assert unit_environ(None, {}) == {}


async def test_missing_tls_files_fail_clearly(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"
    result = await check_broker(_ctx(tmp_path, mqtt={"tls": {"ca_file": str(missing)}}))
    assert result.status is Status.FAIL
    assert result.detail.startswith("cannot set up TLS")
    assert "[mqtt.tls]" in result.fix


def test_unit_credentials_are_read_from_their_source_outside_the_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.doctor import local

    run_dir, sources = tmp_path / "run-credentials", tmp_path / "etc-secrets"
    sources.mkdir()
    monkeypatch.setattr(local, "UNIT_CREDENTIALS", run_dir)
    monkeypatch.setattr(local, "CREDENTIAL_SOURCES", sources)
    key = sources / "anthropic_api_key"
    key.write_text("sk-ant-api03-FromTheSourceFileFromTheSourceFile\n")
    key.chmod(0o600)
    ctx = _ctx(tmp_path, anthropic={"api_key": {"file": str(run_dir / "anthropic_api_key")}})
    result = check_anthropic_key(ctx)
    assert result.status is Status.PASS
    assert f"from file {key}" in result.detail
    key.write_text("")
    empty = check_anthropic_key(ctx)
    assert empty.status is Status.FAIL and f"no API key in file {key}" in empty.detail


def test_unsupported_database_url_fails(tmp_path: Path) -> None:
    result = check_database(_ctx(tmp_path, ledger={"url": "mysql://h:pw@127.0.0.1:9/db"}))
    assert result.status is Status.FAIL
    assert "unsupported database 'mysql'" in result.detail
    assert ":pw@" not in result.detail


def test_a_key_file_open_to_others_is_fixed_with_chmod(tmp_path: Path) -> None:
    key_file = tmp_path / "anthropic_api_key"
    key_file.write_text("sk-ant-api03-DoctorTestKeyDoNotPrint0123456789\n")
    key_file.chmod(0o644)
    result = check_anthropic_key(_ctx(tmp_path, anthropic={"api_key": {"file": str(key_file)}}))
    assert result.status is Status.FAIL
    assert "readable by group or others" in result.detail
    assert result.fix == f"chmod 600 {key_file}"
