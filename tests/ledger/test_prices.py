"""Costs against figures computed by hand from the published price table (REFERENCE §1.2).

Rates are USD per million tokens, i.e. µ$ per token, so each expected figure below is
tokens x rate summed by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from agent.config import parse_config
from agent.config.ledger import PriceRow
from agent.errors import ConfigError, PriceUnknown
from agent.ledger.prices import PriceTable, load_price_table, shipped_rows
from agent.ledger.types import Usage

NOV = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return load_price_table()


def test_plain_call(table: PriceTable) -> None:
    # sonnet-5-5: 1200 x $2 + 350 x $10 per MTok = 2400 + 3500 µ$
    assert table.cost("claude-sonnet-5-5", Usage(input_tokens=1200, output_tokens=350), NOV) == 5900


def test_cache_reads_use_the_rate_in_force_that_day(table: PriceTable) -> None:
    usage = Usage(input_tokens=200, cache_read_tokens=10_000, output_tokens=100)
    # after the 2026-10-07 cut: 200x2 + 10000x0.10 + 100x10 = 400 + 1000 + 1000
    assert table.cost("claude-sonnet-5-5", usage, NOV) == 2400
    # before it, reads were 0.20: 400 + 2000 + 1000
    assert table.cost("claude-sonnet-5-5", usage, datetime(2026, 10, 6, 23, tzinfo=UTC)) == 3400


def test_5m_and_1h_cache_writes_each_at_their_own_rate_counted_once(table: PriceTable) -> None:
    usage = Usage(input_tokens=100, cache_write_5m_tokens=4000, cache_write_1h_tokens=2000,
                  output_tokens=50)
    # haiku-5-5: 100x0.10 + 4000x0.125 + 2000x0.20 + 50x0.50 = 10 + 500 + 400 + 25
    assert table.cost("claude-haiku-5-5", usage, NOV) == 935
    # 1h writes alone are 2000 x 0.20 = 400, not 2000 x 0.125 = 250 (the 5m rate)
    assert table.cost("claude-haiku-5-5", Usage(cache_write_1h_tokens=2000), NOV) == 400
    # sonnet-5-5: 5m 1.25x input, 1h 2x input: 1000x2.5 + 1000x4 = 6500
    both = Usage(cache_write_5m_tokens=1000, cache_write_1h_tokens=1000)
    assert table.cost("claude-sonnet-5-5", both, NOV) == 6500


def test_batch_halves_everything_cache_included(table: PriceTable) -> None:
    usage = Usage(input_tokens=10_000, cache_read_tokens=1000, cache_write_5m_tokens=800,
                  output_tokens=2000, batch=True)
    # sonnet-5-5: (10000x2 + 1000x0.10 + 800x2.5 + 2000x10) x 0.5 = (20000+100+2000+20000)/2
    assert table.cost("claude-sonnet-5-5", usage, NOV) == 21050


def test_haiku_long_prompt_tier_prices_the_whole_request(table: PriceTable) -> None:
    usage = Usage(input_tokens=90_000, cache_read_tokens=20_000, output_tokens=1000)
    # prompt 110000 > 100000: 90000x0.50 + 20000x0.05 + 1000x2.50 = 45000 + 1000 + 2500
    assert table.cost("claude-haiku-5-5", usage, NOV) == 48_500
    # exactly at the threshold stays on the base rates: 100000x0.10 + 1000x0.50
    at = Usage(input_tokens=100_000, output_tokens=1000)
    assert table.cost("claude-haiku-5-5", at, NOV) == 10_500
    # cache writes count toward the threshold and take the long write rates too:
    # 1 + 100000 prompt tokens: 1x0.50 + 100000x1.00 (1h long) = 100000.5 -> 100001
    long_write = Usage(input_tokens=1, cache_write_1h_tokens=100_000)
    assert table.cost("claude-haiku-5-5", long_write, NOV) == 100_001


def test_thinking_tokens_are_inside_output_not_added(table: PriceTable) -> None:
    usage = Usage(input_tokens=500, output_tokens=3000, thinking_tokens=2500)
    # opus-5-5: 500x4 + 3000x20 = 2000 + 60000 (thinking is part of the 3000)
    assert table.cost("claude-opus-5-5", usage, NOV) == 62_000


def test_fractions_round_up_once(table: PriceTable) -> None:
    # haiku-5-5: 3 x 0.10 = 0.3 µ$ -> 1; 15 x 0.10 + 1 x 0.01 = 1.51 -> 2
    assert table.cost("claude-haiku-5-5", Usage(input_tokens=3), NOV) == 1
    assert table.cost("claude-haiku-5-5", Usage(input_tokens=15, cache_read_tokens=1), NOV) == 2
    assert table.cost("claude-haiku-5-5", Usage(), NOV) == 0


def test_dated_snapshot_names_price_as_their_model(table: PriceTable) -> None:
    usage = Usage(input_tokens=1000, output_tokens=100)
    # haiku-4-5: 1000x1 + 100x5
    assert table.cost("claude-haiku-4-5-20251001", usage, NOV) == 1500
    assert table.has("claude-sonnet-4-5-20250929")


def test_unknown_and_unverified_models_have_no_price(table: PriceTable) -> None:
    assert not table.has("claude-fable-5-2")  # unverified in REFERENCE §1.2: left out
    with pytest.raises(PriceUnknown):
        table.cost("claude-fable-5-2", Usage(input_tokens=1), NOV)
    with pytest.raises(PriceUnknown):
        table.cost("gpt-imaginary", Usage(), NOV)


def test_every_verified_model_is_shipped() -> None:
    models = {row.model for row in shipped_rows()}
    assert models == {
        "claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-sonnet-5",
        "claude-opus-5", "claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6",
        "claude-opus-4-5", "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-haiku-4-5",
        "claude-fable-5", "claude-mythos-5", "claude-fable-5-1", "claude-mythos-5-1"}


def test_worst_case_uses_dearest_prompt_rate_and_full_max_tokens(table: PriceTable) -> None:
    # haiku-5-5: 1000 prompt x 0.20 (1h write) + 1000 x 0.50
    assert table.worst_case("claude-haiku-5-5", 1000, 1000, batch=False, at=NOV) == 700
    # above the threshold: 150000 x 1.00 + 1000 x 2.50
    assert table.worst_case("claude-haiku-5-5", 150_000, 1000, batch=False, at=NOV) == 152_500
    assert table.worst_case("claude-haiku-5-5", 1000, 1000, batch=True, at=NOV) == 350


def test_config_rows_override_and_extend() -> None:
    config = parse_config({"prices": {"rows": [
        {"model": "claude-haiku-5-5", "input": 1, "output": 2, "cache_write_5m": 1.25,
         "cache_write_1h": 2, "cache_read": 0.1},
        {"model": "my-proxy-model", "effective": "2026-11-01", "input": 3, "output": 4,
         "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.3},
    ]}})
    table = load_price_table(config.prices.rows)
    usage = Usage(input_tokens=100, output_tokens=10)
    assert table.cost("claude-haiku-5-5", usage, NOV) == 120  # 100x1 + 10x2, no long tier
    assert table.cost("my-proxy-model", usage, NOV) == 340
    with pytest.raises(PriceUnknown):  # not yet effective
        table.cost("my-proxy-model", usage, datetime(2026, 10, 31, tzinfo=UTC))
    assert table.cost("claude-sonnet-5-5", usage, NOV) == 300  # untouched shipped row


def test_range_check_rejects_per_token_prices_and_half_long_tiers() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"prices": {"rows": [
            {"model": "m", "input": 3_000_000, "output": 15, "cache_write_5m": 1,
             "cache_write_1h": 1, "cache_read": 1}]}})
    assert "prices.rows[0].input" in str(err.value)
    per_token = PriceRow(model="m", input=Decimal("0.000003"), output=Decimal("0.000015"),
                         cache_write_5m=Decimal(0), cache_write_1h=Decimal(0),
                         cache_read=Decimal(0))
    half_long = PriceRow(model="n", input=Decimal(1), output=Decimal(1),
                         cache_write_5m=Decimal(1), cache_write_1h=Decimal(1),
                         cache_read=Decimal(1), long_threshold=10, long_input=Decimal(2))
    with pytest.raises(ConfigError) as err2:
        PriceTable([per_token, half_long])
    assert "USD per token" in str(err2.value)
    assert "long_threshold needs" in str(err2.value)
