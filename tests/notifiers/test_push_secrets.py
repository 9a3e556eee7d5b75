"""Secrets stay out of the config file, the logs and the status: a canary test, and the
config checks that refuse a credential written into a URL."""

from __future__ import annotations

import asyncio
import base64
import logging

import pytest
from pydantic import ValidationError

from agent.config import HearthConfig
from agent.config.notify import NotifySection
from agent.config.problems import describe_problems
from agent.notifiers.events import Notice
from tests.notifiers.conftest import ServerFactory, post_and_drain, service

CANARY = "tk_CanaryNotifySecret7Q2x9"
PASSWORD = "Pw-Canary-4411-zz"


def _problems(entry: dict[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        HearthConfig.model_validate({"notify": [entry]})
    return describe_problems(info.value.errors(), HearthConfig)


async def test_canary_secrets_reach_the_service_and_nothing_else(
        push_server: ServerFactory, caplog: pytest.LogCaptureFixture) -> None:
    # Each server echoes the secrets in its error body, as a careless service might.
    ok_server = push_server()
    bad = push_server(["fail"] * 4, fail_body=f"bad token {CANARY} {PASSWORD}")
    phone = NotifySection.model_validate({
        "name": "phone", "url": f"ntfy://{{token}}@127.0.0.1:{ok_server.port}/hearth-topic",
        "secrets": {"token": {"env": "HEARTH_TEST_NTFY_TOKEN"}}})
    hook = NotifySection.model_validate({
        "name": "hook", "url": f"json://hearth:{{pw}}@127.0.0.1:{bad.port}/hook?token={{token}}",
        "secrets": {"pw": {"env": "HEARTH_TEST_HOOK_PW"},
                    "token": {"env": "HEARTH_TEST_NTFY_TOKEN"}}})
    environ = {"HEARTH_TEST_NTFY_TOKEN": CANARY, "HEARTH_TEST_HOOK_PW": PASSWORD}
    push = service([phone, hook], environ=environ)
    caplog.set_level(logging.DEBUG)
    await push.start()
    try:
        push.post(Notice("budget", "Budget at 80%", "spend"))
        (got,) = await asyncio.to_thread(ok_server.wait_for, 1)
        await asyncio.to_thread(bad.wait_for, 3)
        await push.stop(timeout=30)
        tested = await push.send_test()
    finally:
        await push.stop(timeout=0)
    # The secrets were used: ntfy got the token as a bearer, the webhook the password.
    assert got.headers["Authorization"] == f"Bearer {CANARY}"
    basic = base64.b64decode(bad.requests[0].headers["Authorization"].split()[1]).decode()
    assert basic == f"hearth:{PASSWORD}"
    # ... and appear nowhere else.
    shown = "\n".join([caplog.text, repr(push.status()), repr(tested)])
    for secret in (CANARY, PASSWORD):
        assert secret not in shown
    rows = {row["name"]: row for row in push.status()}
    assert rows["hook"]["failed"] == 1 and rows["hook"]["last_error"]
    assert [t.ok for t in tested] == [True, False]


async def test_a_missing_secret_fails_at_once_naming_the_reference(
        push_server: ServerFactory) -> None:
    hook = push_server()
    entry = NotifySection.model_validate({
        "name": "hook", "url": f"json://hearth:{{pw}}@127.0.0.1:{hook.port}/hook",
        "secrets": {"pw": {"env": "HEARTH_TEST_UNSET_PW"}}})
    push = service([entry], environ={})
    await post_and_drain(push, Notice("timer", "Timer done", "tea"), timeout=30)
    (row,) = push.status()
    assert row["failed"] == 1
    assert row["last_error"] == "secret 'pw' is not set ($HEARTH_TEST_UNSET_PW)"
    assert hook.requests == []  # not retried, never sent


@pytest.mark.parametrize(("url", "what"), [
    (f"ntfy://hearth:{PASSWORD}@ntfy.example/topic", "the password in user:password@"),
    (f"ntfys://{CANARY}@ntfy.sh/topic", "the token before @"),
    (f"ntfys://ntfy.sh/topic?token={CANARY}", "the value of ?token="),
    ("json://h.example/hook?+Authorization=Bearer%20x", "the value of ?+Authorization="),
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234", "a token in the address"),
    ("pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi",
     "the token before @"),
])
def test_a_credential_written_into_the_url_is_refused(url: str, what: str) -> None:
    (problem,) = _problems({"name": "phone", "url": url})
    assert problem.startswith(f"notify[0].url: {what} looks like a credential")
    assert "{placeholder}" in problem
    for secret in (PASSWORD, CANARY, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"):
        assert secret not in problem


@pytest.mark.parametrize("url", [
    "ntfys://{token}@ntfy.sh/hearth-home?priority=high",
    "tgram://{bot_token}/-1001234",
    "pover://{user}@{token}",
    "mailtos://me:{password}@gmail.com?to=me@example.com",
    "hassio://homeassistant.local:8123/{token}",
    "json://127.0.0.1:8080/hook?auth=basic",
])
def test_placeholders_are_how_secrets_go_in(url: str) -> None:
    import re

    names = re.findall(r"\{(\w+)\}", url)
    entry = NotifySection.model_validate(
        {"name": "phone", "url": url, "secrets": {n: {"env": f"X_{n.upper()}"} for n in names}})
    assert entry.url == url


def test_placeholders_and_secrets_must_match() -> None:
    assert _problems({"name": "phone", "url": "ntfys://{token}@ntfy.sh/t"}) == [
        "notify[0]: url uses {token} but `secrets` has no 'token' entry "
        '(e.g. secrets = { token = { env = "..." } })']
    assert _problems({"name": "phone", "url": "ntfys://ntfy.sh/t",
                      "secrets": {"token": {"env": "X"}}}) == [
        "notify[0]: secrets.token is not used: the url has no {token}"]


@pytest.mark.parametrize("value", ["22:00", "7:00-22:00", "22:00-24:00", "08:00-08:00"])
def test_quiet_hours_must_be_a_window(value: str) -> None:
    (problem,) = _problems({"name": "phone", "url": "ntfys://ntfy.sh/t", "quiet_hours": value})
    assert problem.startswith("notify[0].quiet_hours: ")


def test_names_must_differ() -> None:
    from agent.errors import ConfigError

    entries = [NotifySection(name="phone", url="ntfys://ntfy.sh/a"),
               NotifySection(name="phone", url="ntfys://ntfy.sh/b")]
    with pytest.raises(ConfigError, match="'phone' is given to more than one entry"):
        service(entries)
