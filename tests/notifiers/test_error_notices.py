"""Errors in hearth's log become `error` notices, rarely and without secrets or loops."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from agent.notifiers.error_notices import ErrorNotices
from agent.notifiers.events import Notice


class Sink:
    def __init__(self) -> None:
        self.notices: list[Notice] = []

    def post(self, notice: Notice) -> None:
        self.notices.append(notice)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.day = "2026-12-02"

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wired() -> Iterator[tuple[Sink, Clock]]:
    sink, clock = Sink(), Clock()
    handler = ErrorNotices(sink, daily_cap=3, clock=clock, today=lambda: clock.day)
    roots = [logging.getLogger("agent"), logging.getLogger("skills"), logging.getLogger("other")]
    for root in roots:
        root.addHandler(handler)
    try:
        yield sink, clock
    finally:
        for root in roots:
            root.removeHandler(handler)


def test_an_error_becomes_one_notice_an_hour(wired: tuple[Sink, Clock]) -> None:
    sink, clock = wired
    log = logging.getLogger("agent.mqtt.bridge")
    log.error("broker %s unreachable", "127.0.0.1:1883")
    log.error("broker %s unreachable", "127.0.0.1:1883")
    assert len(sink.notices) == 1
    notice = sink.notices[0]
    assert notice.event == "error"
    assert notice.body == "`agent.mqtt.bridge`: broker 127.0.0.1:1883 unreachable"
    clock.now += 3601
    log.error("broker %s unreachable", "127.0.0.1:1883")
    assert len(sink.notices) == 2


def test_only_errors_of_hearth_and_skills_outside_the_notifiers(
        wired: tuple[Sink, Clock]) -> None:
    sink, _ = wired
    logging.getLogger("agent.router").warning("only a warning")
    logging.getLogger("other.lib").error("not ours")
    logging.getLogger("agent.notifiers.push").error("our own failure: would loop")
    logging.getLogger("skills.news.desk").error("feed parser broke")
    assert [n.body for n in sink.notices] == ["`skills.news.desk`: feed parser broke"]


def test_a_daily_cap_and_a_new_day(wired: tuple[Sink, Clock]) -> None:
    sink, clock = wired
    log = logging.getLogger("agent.x")
    for i in range(5):
        log.error(f"distinct problem {i}")  # noqa: G004 - distinct templates on purpose
    assert len(sink.notices) == 3
    clock.day = "2026-12-03"
    log.error("distinct problem 9")
    assert len(sink.notices) == 4


def test_text_is_redacted_and_carries_no_traceback(wired: tuple[Sink, Clock]) -> None:
    sink, _ = wired
    key = "sk-ant-api03-NotifyCanaryKey0123456789abcdef"
    try:
        raise RuntimeError(f"boom with {key}")
    except RuntimeError:
        logging.getLogger("agent.router").exception("call failed: %s", "https://u:hunter22@h/x")
    (notice,) = sink.notices
    assert key not in notice.body and "hunter22" not in notice.body
    assert "Traceback" not in notice.body
    assert notice.body.endswith("(RuntimeError)")
