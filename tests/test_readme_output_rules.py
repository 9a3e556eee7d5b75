"""The README states the output rules the commands follow (money for people and for JSON)."""

from __future__ import annotations

from pathlib import Path

from agent.words import money, usd_value

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_money_rules_are_documented_near_the_command_table() -> None:
    commands = README.index("## Commands")
    rule = README.index("**For programs**")
    assert commands < rule < README.index("### Exit statuses")
    paragraph = README[rule:README.index("\n\n", rule)]
    assert "JSON number of US dollars under a key ending `_usd`" in paragraph
    assert "never a string" in paragraph
    # The examples in the README are what agent.words produces.
    for micros, shown in ((40_000, "$0.04"), (1_234_570_000, "$1,234.57"), (2_300, "$0.0023")):
        assert money(micros) == shown and f"`{shown}`" in README
    assert usd_value(1_234_567) == 1.234567
