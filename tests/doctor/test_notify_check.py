"""The doctor's notifier check: secrets resolve, URLs parse for Apprise, nothing leaks."""

from __future__ import annotations

from pathlib import Path

from agent.config import HearthConfig
from agent.doctor.notify import check_notifiers
from agent.doctor.result import DoctorContext, Status

CANARY = "tk_DoctorNotifyCanary8812q"


def _ctx(notify: list[dict[str, object]], environ: dict[str, str] | None = None) -> DoctorContext:
    config = HearthConfig.model_validate({"notify": notify})
    return DoctorContext(config=config, config_path=None, environ=environ or {})


async def test_no_entry_is_a_skip() -> None:
    result = await check_notifiers(_ctx([]))
    assert result.status is Status.SKIP


async def test_good_entries_pass_with_names_and_services() -> None:
    result = await check_notifiers(_ctx([
        {"name": "phone", "url": "ntfys://{token}@ntfy.sh/hearth",
         "secrets": {"token": {"env": "HEARTH_DOC_NTFY"}}},
        {"name": "hook", "url": "json://127.0.0.1:8080/hook"},
        {"name": "off", "url": "nosuch://x", "enabled": False},
    ], {"HEARTH_DOC_NTFY": CANARY}))
    assert result.status is Status.PASS
    assert result.detail == "phone (ntfys), hook (json)"


async def test_a_url_apprise_cannot_parse_fails_naming_the_entry() -> None:
    result = await check_notifiers(_ctx([
        {"name": "phone", "url": "ntfys://{token}@ntfy.sh/hearth",
         "secrets": {"token": {"env": "HEARTH_DOC_NTFY"}}},
        {"name": "pager", "url": "nosuch://{token}@example.org",
         "secrets": {"token": {"env": "HEARTH_DOC_NTFY"}}},
    ], {"HEARTH_DOC_NTFY": CANARY}))
    assert result.status is Status.FAIL
    assert result.detail == "pager: the nosuch:// URL does not parse for Apprise"
    assert CANARY not in result.detail + result.fix


async def test_an_unset_secret_fails_naming_the_variable() -> None:
    result = await check_notifiers(_ctx([
        {"name": "phone", "url": "ntfys://{token}@ntfy.sh/hearth",
         "secrets": {"token": {"env": "HEARTH_DOC_UNSET"}}}]))
    assert result.status is Status.FAIL
    assert result.detail == "phone: secret 'token' is not set ($HEARTH_DOC_UNSET)"


async def test_an_exposed_secret_file_fails(tmp_path: Path) -> None:
    secret = tmp_path / "ntfy-token"
    secret.write_text(CANARY)
    secret.chmod(0o644)
    result = await check_notifiers(_ctx([
        {"name": "phone", "url": "ntfys://{token}@ntfy.sh/hearth",
         "secrets": {"token": {"file": str(secret)}}}]))
    assert result.status is Status.FAIL
    assert result.detail.startswith("phone: secret 'token': ")
    assert CANARY not in result.detail
