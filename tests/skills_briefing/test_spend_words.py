"""The briefing's spend part in people's money words (agent.words.money) and plurals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.db import Database
from agent.ledger import Ledger
from agent.ledger.types import Usage
from agent.notifiers.types import BriefingRequest
from agent.plugins.services import SkillLedger
from skills.briefing.spend import SpendPart
from tests.ledger.helpers import Clock, config, record

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
YESTERDAY = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


async def test_spend_part_golden(state_dir: Path) -> None:
    db = Database.open(None, state_dir)
    try:
        cfg = config({"daily_usd": "0.5", "monthly_usd": "5"})
        old = Ledger(db, cfg, clock=Clock(YESTERDAY))
        await old.settle(None, record(Usage(input_tokens=1000, output_tokens=200),
                                      tier="fast", model="claude-haiku-5-5"))
        ledger = Ledger(db, cfg, clock=Clock(NOW))
        part = await SpendPart(SkillLedger("briefing", ledger), BERLIN).contribute(
            BriefingRequest(now=NOW, planned=NOW, local_date=NOW.astimezone(BERLIN).date(),
                            trigger="now"))
    finally:
        db.close()
    assert part is not None
    # Below a cent the exact amount, else cents; "1 model call", not "1 model calls".
    assert part.lines == (
        "- Yesterday: $0.0002 over 1 model call (the deep tier would have cost $0.004).",
        "- Left today: $0.50 of $0.50.",
        "- Left this month: $5.00 of $5.00.")
    assert part.spoken == "Yesterday hearth spent $0.0002. $5.00 of the monthly budget is left."
