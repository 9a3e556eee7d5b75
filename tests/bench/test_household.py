"""The household replay on a tiny week: real dispatcher, router, scheduler and ledger.

Questions are routed by hearth (the assistant and advisor skills, package B's): until those
are installed the module is skipped.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import anthropic
import pytest

from bench.household import Clock, example_cache_policy, main, replay, uniform_cache
from bench.scenario import START, Scenario, month_of_work, text_of
from tests.support.fake_anthropic import FakeAnthropic

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


async def test_the_cache_lifetime_reaches_every_cloud_call(
        tiny: Scenario, tmp_path: Path) -> None:
    months = {}
    for ttl in ("off", "1h"):
        state = tmp_path / ttl
        state.mkdir()
        months[ttl] = await replay(tiny, state, router=uniform_cache(ttl))
    off, hour = months["off"], months["1h"]
    assert off["cache_ttl"] == {"default": "off"} and hour["cache_ttl"] == {"default": "1h"}
    # The advisor's prefix is written for an hour, never for five minutes...
    assert hour["cache_tokens"]["write_1h"] > 0 and hour["cache_tokens"]["write_5m"] == 0
    assert hour["cache_calls"]["advisor"][1] == 3
    # ...and with the cache off nothing is written or read: every prompt token is plain input.
    assert off["cache_tokens"] == {"input": off["cache_tokens"]["input"], "write_5m": 0,
                                   "write_1h": 0, "read": 0}
    assert off["cache_tokens"]["input"] == sum(hour["cache_tokens"].values())
    assert off["routing"]["cache_hit_ratio"]["advisor"] == 0.0
    # Three advisor questions in a week never meet within an hour: the 2x write is waste.
    assert hour["cache_calls"]["advisor"][0] == 0
    assert off["hearth_usd"] < hour["hearth_usd"]
    # The digest is a batch with no breakpoint; the assistant answers locally.
    assert hour["cache_calls"]["digest"] == [0, 1]
    assert hour["routing"]["cache_hit_ratio"]["assistant"] is None
    assert hour["cache_break_even_hit_ratio"]["5m"] < hour["cache_break_even_hit_ratio"]["1h"]


async def test_a_pinned_assistant_is_measured_on_claude(tiny: Scenario, tmp_path: Path) -> None:
    r = await replay(tiny, tmp_path, router=uniform_cache("5m", pins={"assistant": "fast"}))
    assert r["routing"]["table"]["local"] == {"fast": 2, "deep": 1}
    assert r["cache_calls"]["assistant"][1] == 4
    assert r["cache_tokens"]["write_5m"] > 0 and r["cache_tokens"]["write_1h"] == 0
    assert r["routing"]["cache_hit_ratio"]["assistant"] is not None


def test_the_default_month_uses_config_example_cache_lifetimes(tmp_path: Path) -> None:
    example = tmp_path / "example.toml"
    example.write_text('[router]\ncache_ttl = "1h"\n[router.skills.advisor]\n'
                       'cache_ttl = "off"\n[router.skills.dispatcher]\n')
    assert example_cache_policy(example) == {"cache_ttl": "1h",
                                             "skills": {"advisor": {"cache_ttl": "off"}}}
    # The shipped example parses to lifetimes hearth accepts.
    policy = example_cache_policy()
    assert policy["cache_ttl"] in ("5m", "1h", "off")
    assert all(v["cache_ttl"] in ("5m", "1h", "off") for v in policy.get("skills", {}).values())


async def test_the_simulated_clock_ages_a_1h_prefix_past_five_minutes(
        fake_anthropic: FakeAnthropic) -> None:
    clock = Clock(START, fake_anthropic)
    client = anthropic.AsyncAnthropic(api_key="sk-ant-api03-" + "c" * 40,
                                      base_url=fake_anthropic.url, max_retries=0, timeout=5)
    system = "You are hearth's benchmark assistant. " * 40

    async def read(ttl: str) -> int:
        reply = await client.messages.create(
            model="claude-sonnet-5-5", max_tokens=5, messages=[{"role": "user", "content": "q"}],
            system=[{"type": "text", "text": system,
                     "cache_control": {"type": "ephemeral", "ttl": ttl}}])
        return reply.usage.cache_read_input_tokens or 0

    try:
        assert await read("1h") == 0
        clock.to(START + timedelta(minutes=50))
        assert await read("1h") > 300  # a 5-minute entry would have gone; the hit renews it
        clock.to(START + timedelta(minutes=50 + 61))
        assert await read("1h") == 0
        fake_anthropic.clear_cache()
        assert await read("5m") == 0
        clock.to(clock.now + timedelta(minutes=6))
        assert await read("5m") == 0
    finally:
        await client.close()


def test_cache_ttl_option_is_checked() -> None:
    with pytest.raises(SystemExit):
        main(["--cache-ttl", "10m"])
