"""The spend part: what hearth spent yesterday, and what the budget has left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent.notifiers.types import BriefingPart, BriefingRequest
from agent.plugins.services import SkillLedger
from agent.words import money, plural


class SpendPart:
    """Yesterday's model spend (household day) and the global caps' room left."""

    name = "spend"

    def __init__(self, ledger: SkillLedger, zone: ZoneInfo, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._ledger = ledger
        self._zone = zone
        self._clock = clock or (lambda: datetime.now(UTC))

    async def contribute(self, request: BriefingRequest) -> BriefingPart | None:
        """The part, from the ledger's report for yesterday and its cap status."""
        today = request.now.astimezone(self._zone).date()
        start = datetime.combine(today - timedelta(days=1), time(0), tzinfo=self._zone)
        end = datetime.combine(today, time(0), tzinfo=self._zone)
        report = await self._ledger.house(start.astimezone(UTC), end.astimezone(UTC))
        caps = [c for c in await self._ledger.caps() if c.name == "global"]
        lines = [f"- Yesterday: {money(report.cost_micros)} over "
                 f"{plural(report.calls, 'model call')}"
                 f" (the deep tier would have cost {money(report.counterfactual_micros)})."]
        spoken = f"Yesterday hearth spent {money(report.cost_micros)}."
        for cap in sorted(caps, key=lambda c: c.period):
            label = "today" if cap.period == "day" else "this month"
            lines.append(f"- Left {label}: {money(cap.left_micros)} of {money(cap.cap_micros)}.")
            if cap.period == "month":
                spoken += f" {money(cap.left_micros)} of the monthly budget is left."
        data = {"yesterday_micros": report.cost_micros, "calls": report.calls,
                "caps": [{"name": c.name, "period": c.period, "cap_micros": c.cap_micros,
                          "left_micros": c.left_micros} for c in caps]}
        return BriefingPart("spend", "Spend", tuple(lines), spoken=spoken, data=data)
