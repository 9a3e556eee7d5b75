"""Secrets never reach a log line, whatever path they take into it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from agent.logs import redact, register_secret, setup_logging

FAKE_KEY = "sk-ant-api03-HEARTHTESTKEY0123456789abcdefXYZ_-"
FAKE_OAUTH = "sk-ant-oat01-HEARTHOAUTHTOKEN987654321"


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_redact_keeps_at_most_ten_characters() -> None:
    out = redact(f"key={FAKE_KEY} token {FAKE_OAUTH}")
    assert "HEARTHTESTKEY" not in out and "HEARTHOAUTH" not in out
    assert "sk-ant-api…[redacted]" in out and "sk-ant-oat…[redacted]" in out


def test_redact_headers_and_url_passwords() -> None:
    out = redact("Authorization: Bearer abc.def x-api-key: zzz mqtt://hearth:s3cr3t@broker:1883")
    assert "abc.def" not in out and "zzz" not in out and "s3cr3t" not in out
    assert "mqtt://hearth:[redacted]@broker" in out


def test_redact_a_telegram_bot_token_in_a_url() -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    line = redact(f"POST https://api.telegram.org/bot{token}/getUpdates failed")
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in line
    assert "bot123456789:[redacted]/getUpdates" in line


def test_every_log_path_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("DEBUG", journal=False)
    register_secret("mqtt-pass-Zq9")
    log = logging.getLogger("hearth.test")
    log.info("message %s", FAKE_KEY)
    log.warning("broker password is mqtt-pass-Zq9")
    try:
        raise RuntimeError(f"upstream said: bad key {FAKE_OAUTH}")
    except RuntimeError:
        log.exception("call failed")
    err = capsys.readouterr().err
    assert "message sk-ant-api…[redacted]" in err
    assert "call failed" in err and "Traceback" in err
    for secret in ("HEARTHTESTKEY", "HEARTHOAUTHTOKEN", "mqtt-pass-Zq9"):
        assert secret not in err


def test_journal_lines_carry_priority_prefixes(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", journal=True)
    logging.getLogger("hearth.test").error("boom")
    logging.getLogger("hearth.test").info("fine")
    err = capsys.readouterr().err.splitlines()
    assert "<3>hearth.test: boom" in err and "<6>hearth.test: fine" in err


def test_scheduler_and_alembic_chatter_is_quiet_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", journal=False)
    logging.getLogger("apscheduler.scheduler").info("Adding job tentatively -- it will be ...")
    logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.autogenerate")
    migration = logging.getLogger("alembic.runtime.migration")
    migration.info("Context impl SQLiteImpl.")
    migration.info("Running upgrade  -> 0001, first schema")
    logging.getLogger("apscheduler.executors.default").error("Job x raised an exception")
    err = capsys.readouterr().err
    assert "Adding job tentatively" not in err and "setup plugin" not in err
    assert "Context impl" not in err
    assert "Running upgrade  -> 0001" in err
    assert "Job x raised an exception" in err


def test_a_threshold_on_the_handler_keeps_the_own_loggers_and_the_levels(
        capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("WARNING", journal=False, show_from=logging.ERROR, always_show=("agent.cli",))
    logging.getLogger("agent.router.core").warning("skill 'dispatcher' failed")
    logging.getLogger("agent.cli.briefing").warning("not publishing on MQTT")
    logging.getLogger("agent.clinic").warning("not ours")
    logging.getLogger("agent.router.core").error("broken")
    err = capsys.readouterr().err
    assert "dispatcher" not in err and "not ours" not in err
    assert "not publishing on MQTT" in err and "broken" in err
    # The loggers themselves keep WARNING: caplog and other handlers still see warnings.
    assert logging.getLogger().level == logging.WARNING
