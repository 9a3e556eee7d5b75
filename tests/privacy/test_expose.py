"""Exposure: which devices models see, and hidden names blanked out of text."""

from __future__ import annotations

from dataclasses import dataclass

from agent.config import parse_config
from agent.privacy.expose import HIDDEN, Exposure


@dataclass(frozen=True)
class Dev:
    name: str
    kind: str = "light"
    area: str | None = None
    aliases: tuple[str, ...] = ()


DEVICES = (Dev("bedroom lamp", area="bedroom", aliases=("nightlight",)),
           Dev("kitchen light", area="kitchen"), Dev("front door", kind="lock", area="hall"),
           Dev("lamp", area="living room"))


def _exposure(privacy: dict[str, object]) -> Exposure:
    return Exposure(parse_config({"privacy": privacy}).privacy, lambda: DEVICES)


def test_everything_is_visible_by_default() -> None:
    exposure = _exposure({})
    assert exposure.filter(DEVICES) == list(DEVICES)
    assert exposure.hidden_names() == frozenset()
    assert exposure.redact("the bedroom lamp is on") == "the bedroom lamp is on"


def test_hide_wins_over_expose_and_matches_areas_kinds_and_names() -> None:
    exposure = _exposure({"expose": {"areas": ["bedroom", "hall"]},
                          "hide": {"kinds": ["lock"]}})
    assert [d.name for d in exposure.filter(DEVICES)] == ["bedroom lamp"]
    exposure = _exposure({"hide": {"devices": ["Bedroom Lamp"]}})
    assert [d.name for d in exposure.filter(DEVICES)] == ["kitchen light", "front door", "lamp"]
    assert exposure.hidden_names() == frozenset({"bedroom lamp", "nightlight"})


def test_redact_whole_words_any_case_longest_first() -> None:
    exposure = _exposure({"hide": {"devices": ["bedroom lamp", "lamp"]}})
    text = "Is the Bedroom Lamp brighter than the lamp, or the lampshade? NIGHTLIGHT off."
    assert exposure.redact(text) == (f"Is the {HIDDEN} brighter than the {HIDDEN}, or the "
                                     f"lampshade? {HIDDEN} off.")
