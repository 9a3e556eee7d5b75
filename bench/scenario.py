"""The household scenario (bench/household.toml) and how the fake models answer it.

`Scenario` validates the file; `month_of_work` spreads its requests over the month with a
fixed seed; `Responder` answers both fake model servers as the scenario says: the local
dispatcher's scripted choices, news summaries, and answers of the scenario's length.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.skills_briefing.support import good_summaries, quoted_items
from tests.support.fake_anthropic import answer as claude_answer
from tests.support.fake_anthropic import last_user_text, system_text
from tests.support.fake_ollama import answer as ollama_answer
from tests.support.feeds import SENTENCE
from tests.support.model_fixtures import HttpRequest

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday: a 30-day month holds 4 Sundays
WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
CHOICES = ("assistant", "advisor")
# How the fakes tell hearth's requests apart: by their (constant) system text.
DISPATCHER_MARK = "You route one household request"


@dataclass(frozen=True)
class Scenario:
    """bench/household.toml, validated into what the replay needs."""

    days: int
    seed: int
    hours: tuple[int, int]
    devices: list[dict[str, Any]]
    commands: list[dict[str, Any]]
    fuzzy: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    feeds: int
    new_items: int
    listed_items: int
    briefing_cron: str
    digest_cron: str
    digest_output_tokens: int

    @classmethod
    def load(cls, path: Path) -> Scenario:
        """Read and check a scenario file; a missing key raises KeyError naming it."""
        raw = tomllib.loads(path.read_text())
        month, brief, digest = raw["month"], raw["briefing"], raw["digest"]
        for q in raw.get("questions", []):
            if q["tier"] not in ("local", "fast", "deep"):
                raise ValueError(f"question {q['text']!r}: tier must be local, fast or deep")
            if q["choice"] not in CHOICES:
                raise ValueError(f"question {q['text']!r}: choice must be assistant or advisor")
        return cls(days=int(month["days"]), seed=int(month["seed"]),
                   hours=(int(month["first_hour"]), int(month["last_hour"])),
                   devices=raw["devices"], commands=raw.get("commands", []),
                   fuzzy=raw.get("fuzzy", []), questions=raw.get("questions", []),
                   feeds=int(brief["feeds"]), new_items=int(brief["new_items_per_feed"]),
                   listed_items=int(brief["listed_items_per_feed"]),
                   briefing_cron=f"0 {int(brief['briefing_hour'])} * * *",
                   digest_cron=f"0 {int(digest['hour'])} * * {(int(digest['weekday']) + 1) % 7}",
                   digest_output_tokens=int(digest["output_tokens"]))


@dataclass(order=True)
class Work:
    """One request arriving at `at`: a command, a fuzzy command or a question."""

    at: datetime
    kind: str = field(compare=False)
    item: dict[str, Any] = field(compare=False)


def month_of_work(s: Scenario) -> list[Work]:
    """Every request of the month at a seeded random minute of a waking hour."""
    rng = random.Random(s.seed)
    work = []
    for kind, items in (("command", s.commands), ("fuzzy", s.fuzzy), ("question", s.questions)):
        for item in items:
            for _ in range(int(item["per_month"])):
                at = START + timedelta(days=rng.randrange(s.days),
                                       hours=rng.randint(s.hours[0], s.hours[1] - 1),
                                       minutes=rng.randrange(60), seconds=rng.randrange(60))
                work.append(Work(at, kind, item))
    return sorted(work)


def text_of(tokens: int) -> str:
    """Answer text the fakes count as `tokens` output tokens (4 characters each)."""
    return (WORDS * (tokens * 4 // len(WORDS) + 1))[: tokens * 4]


def feed_body(n: int, day: int, s: Scenario) -> bytes:
    """Feed `n` on `day`: its latest items, `new_items` of them published that day."""
    items = []
    for k in range(s.listed_items):
        d, i = day - k // s.new_items, k % s.new_items
        if d < 0:
            break  # the household starts with an empty news store, and no backlog
        items.append(f"<item><title>Feed {n}, day {d}: story {i} about the north bridge works"
                     f"</title><link>https://news{n}.example.org/{d}/{i}</link>"
                     f"<guid>f{n}-d{d}-{i}</guid><description>{SENTENCE * 4}</description></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>https://news{n}.example.org/</link><description>d</description>"
            f"{''.join(items)}</channel></rss>").encode()


class Responder:
    """Answers both fakes as the scenario says: choices, summaries, N-token answers."""

    def __init__(self, s: Scenario) -> None:
        self.choices = {f["text"]: dict(f["arguments"]) for f in s.fuzzy}
        self.picks = {q["text"]: str(q["choice"]) for q in s.questions}
        self.lengths = {q["text"]: int(q["output_tokens"]) for q in s.questions}
        self.digest_tokens = s.digest_output_tokens

    def _length(self, text: str) -> int:
        # Skills put context (the time, the home) before the question in the same message.
        return next((n for q, n in self.lengths.items() if q in text), 50)

    def ollama(self, request: HttpRequest) -> Any:
        body = request.json
        text = body["messages"][-1]["content"]
        system = " ".join(m["content"] for m in body["messages"] if m.get("role") == "system")
        if "<news-data>" in text:
            return ollama_answer(json=good_summaries(quoted_items(text)))
        if DISPATCHER_MARK in system:
            if text in self.choices:
                return ollama_answer(json={"skill": "home", "arguments": self.choices[text]})
            return ollama_answer(json={"skill": self.picks.get(text, "assistant"),
                                       "arguments": {}})
        return ollama_answer(text_of(self._length(text)))

    def claude(self, request: HttpRequest) -> Any:
        body = request.json  # batch requests arrive as their params
        text = last_user_text(body)
        if "weekly news digest" in system_text(body):
            return claude_answer(text_of(self.digest_tokens))
        if "<news-data>" in text:
            return claude_answer(json=good_summaries(quoted_items(text)))
        return claude_answer(text_of(self._length(text)))
