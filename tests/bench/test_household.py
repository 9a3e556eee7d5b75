"""The household replay on a tiny week: real dispatcher, router, scheduler and ledger.

Questions are routed by hearth (the assistant and advisor skills, package B's): until those
are installed the module is skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.household import replay
from bench.scenario import Scenario, month_of_work, text_of

TINY = """
[month]
days = 7
seed = 3
first_hour = 8
last_hour = 20

[[devices]]
name = "kitchen light"
kind = "light"
protocol = "zigbee2mqtt"
area = "kitchen"
address = "kitchen_light"

[[devices]]
name = "kettle"
kind = "switch"
protocol = "tasmota"
area = "kitchen"
address = "tasmota_kettle"

[[commands]]
text = "turn off the kitchen light"
per_month = 5

[[commands]]
text = "turn on the kettle"
per_month = 3

[[fuzzy]]
text = "could you get the kettle going"
per_month = 3
arguments = { device = "kettle", state = "on" }

[[questions]]
text = "Convert 350 degrees Fahrenheit to Celsius."
tier = "local"
choice = "assistant"
per_month = 2
output_tokens = 40

[[questions]]
text = "Explain fractions to a child."
tier = "local"
choice = "advisor"
per_month = 1
output_tokens = 100

[[questions]]
text = "Draft a note to the landlord."
tier = "fast"
choice = "assistant"
per_month = 2
output_tokens = 120

[[questions]]
text = "Plan a train trip through Italy."
tier = "deep"
choice = "advisor"
per_month = 1
output_tokens = 700

[[questions]]
text = "Compare the tariffs."
tier = "deep"
choice = "assistant"
cue = "think carefully"
per_month = 1
output_tokens = 200

[briefing]
feeds = 2
new_items_per_feed = 2
listed_items_per_feed = 4
briefing_hour = 7

[digest]
weekday = 6
hour = 5
output_tokens = 300
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Scenario:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return Scenario.load(path)


async def test_a_tiny_week_is_routed_by_hearth_priced_and_scored(
        tiny: Scenario, tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    r: dict[str, Any] = await replay(tiny, state)
    # The cue skips the dispatcher (its scripted "assistant" is never asked for).
    assert r["routes"] == {"command:intent:ok": 8, "fuzzy:dispatcher:ok": 3,
                           "question:dispatcher:ok": 6, "question:cue:ok": 1}
    assert r["device_publishes"] == 11
    # Seven 07:00 briefings and the Sunday digest, all fired by the scheduler's catch-up.
    assert r["scheduled_runs"] == {"briefing.morning:ok": 7, "digest.weekly:ok": 1}
    routing = r["routing"]
    assert routing["table"] == {"local": {"local": 2, "deep": 1}, "fast": {"local": 2},
                                "deep": {"deep": 2}}
    assert (routing["as_labelled"], routing["cheaper_than_label"],
            routing["dearer_than_label"], routing["unanswered"]) == (4, 2, 1, 0)
    assert routing["by_skill"] == {"dispatcher:assistant": 4, "dispatcher:advisor": 2,
                                   "cue:advisor": 1}
    # Every advisor call went to Claude with the person's words, and its bytes are counted.
    assert routing["cloud_by_scope"]["utterance"]["calls"] == 3
    assert routing["cloud_by_scope"]["utterance"]["bytes"] > 0
    tiers = r["by_tier"]
    assert tiers["none"]["calls"] == 8 and tiers["none"]["cost_micros"] == 0
    assert tiers["local"]["cost_micros"] == 0
    # Output lengths come from the scenario: the three advisor answers and the digest.
    assert tiers["deep"]["output_tokens"] == 100 + 700 + 200 + 300
    assert "fast" not in tiers
    assert r["hearth_usd"] == pytest.approx(
        sum(t["cost_micros"] for t in tiers.values()) / 1e6)
    assert 0 < r["hearth_usd"] < r["all_deep_usd"] < r["all_deep_every_request_usd"]
    assert r["all_fast_usd"] < r["all_deep_usd"]
    # Repricing every row on deep agrees with the counterfactual the ledger stored per row.
    assert r["all_deep_usd"] == pytest.approx(r["ledger_counterfactual_usd"])
    assert r["by_skill"]["digest"]["calls"] == 1 and r["by_skill"]["home"]["usd"] == 0
    assert r["by_skill"]["advisor"]["calls"] == 3 and r["by_skill"]["assistant"]["usd"] == 0
    assert r["share_of_all_deep"] == pytest.approx(r["hearth_usd"] / r["all_deep_usd"], abs=1e-4)
    assert r["goals_met"]["share_of_all_deep"] is (r["share_of_all_deep"] <= 0.03)
    assert r["learning"]["requests_on_route_learned"] == 0  # learning is off by default
    # The empty day: the briefing still runs, finds no news and calls no model.
    assert r["empty_day"]["scheduled_runs"] == ["briefing.morning:ok"]
    assert r["empty_day"]["model_requests"] == 0
    assert r["empty_day"]["model_ledger_rows"] == 0
    assert r["goals_met"]["empty_day"] is True


async def test_with_auto_accept_a_fuzzy_phrasing_ends_on_tier_0(
        tiny: Scenario, tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    r: dict[str, Any] = await replay(tiny, state, learn_after=2)
    assert r["learning"] == {"fuzzy_requests": 3, "phrasings": 1,
                             "phrasings_tier0_by_the_end": 1, "requests_on_route_learned": 1,
                             "dispatcher_calls_saved": 1}
    assert r["routes"]["fuzzy:learned:ok"] == 1 and r["device_publishes"] == 11
    assert r["by_skill"]["dispatcher"]["calls"] == 2 + 6  # two fuzzy, six questions


def test_work_is_spread_over_the_month_deterministically(tiny: Scenario) -> None:
    work = month_of_work(tiny)
    assert len(work) == 8 + 3 + 7
    assert work == sorted(work) and [w.at for w in work] == [w.at for w in month_of_work(tiny)]
    assert all(8 <= w.at.hour < 20 for w in work)
    assert len({w.at.date() for w in work}) > 1


def test_answers_have_the_scenario_length() -> None:
    assert len(text_of(700)) == 2800
    assert text_of(0) == ""


def test_a_bad_tier_in_the_scenario_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(TINY.replace('tier = "deep"', 'tier = "none"'))
    with pytest.raises(ValueError, match="tier must be local, fast or deep"):
        Scenario.load(path)
    path.write_text(TINY.replace('choice = "advisor"', 'choice = "home"'))
    with pytest.raises(ValueError, match="choice must be assistant or advisor"):
        Scenario.load(path)
