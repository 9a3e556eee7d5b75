"""Money, plurals and near misses in the words people read."""

from __future__ import annotations

import json

import pytest

from agent.words import did_you_mean, money, nearest, plural, usd_or_none, usd_value


@pytest.mark.parametrize(("micros", "text"), [
    (0, "$0.00"),
    (10_000, "$0.01"),
    (12_345, "$0.01"),
    (15_000, "$0.02"),          # half a cent rounds up, not to even
    (9_999, "$0.009999"),
    (1_230, "$0.00123"),
    (1, "$0.000001"),
    (1_000_000, "$1.00"),
    (1_234_567_890, "$1,234.57"),
    (-20_000, "-$0.02"),
    (-5, "-$0.000005"),
])
def test_money_for_people(micros: int, text: str) -> None:
    assert money(micros) == text


def test_money_for_programs_is_an_exact_json_number() -> None:
    assert usd_value(1_234_567) == 1.234567
    assert usd_value(1) == 0.000001
    assert json.loads(json.dumps({"cap_usd": usd_value(1_000_000)})) == {"cap_usd": 1.0}
    assert usd_or_none(None) is None
    assert isinstance(usd_or_none(0), float)


def test_plural() -> None:
    assert plural(1, "call") == "1 call"
    assert plural(2, "call") == "2 calls"
    assert plural(0, "problem") == "0 problems"
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"


def test_nearest_and_did_you_mean() -> None:
    keys = ["shutdown_timeout", "timezone", "state_dir"]
    assert nearest("shutdown_timout", keys) == "shutdown_timeout"
    assert nearest("zzz", keys) is None
    assert did_you_mean("timezon", keys) == " (did you mean `timezone`?)"
    assert did_you_mean("qqq", keys) == ""
