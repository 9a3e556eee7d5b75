"""Composing the briefing from its parts and handing it to every notifier.

A part that fails is replaced by a one-line note; a notifier that fails is logged while the
others deliver. Parts learn the briefing was delivered (and the news marks its items as
used) only when at least one notifier succeeded, so a briefing nobody received is not lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from agent.config.root import HearthConfig
from agent.errors import HearthError, SkillError
from agent.notifiers.types import Briefing, BriefingPart, BriefingRequest, Notifier, PartProvider
from skills.briefing.render import render_markdown, render_spoken

log = logging.getLogger(__name__)


@runtime_checkable
class Parts(Protocol):
    """A board of part providers that grows while hearth sets up (agent.plugins.PartBoard)."""

    def parts(self) -> tuple[PartProvider, ...]:
        """The providers now on the board."""
        ...


class BriefingService:
    """Builds and delivers briefings. One per daemon; `run` is safe to call on demand."""

    def __init__(self, config: HearthConfig, parts: Parts | Sequence[PartProvider],
                 notifiers: Sequence[Notifier], *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        # A board is read on every run: skills set up after this one add their parts later.
        self._parts = parts
        self.notifiers = list(notifiers)
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def parts(self) -> list[PartProvider]:
        """The part providers, in order, as of now."""
        parts = self._parts
        return list(parts.parts() if isinstance(parts, Parts) else parts)

    async def compose(self, *, planned: datetime | None = None, trigger: str = "now"
                      ) -> Briefing:
        """Ask every part provider, in order, and render the result."""
        now = self._clock()
        local = now.astimezone(self.config.hearth.zone)
        request = BriefingRequest(now=now, planned=planned, local_date=local.date().isoformat(),
                                  trigger=trigger)
        parts: list[BriefingPart] = []
        for provider in self.parts:
            try:
                part = await provider.contribute(request)
            except HearthError as exc:
                log.warning("briefing: part %s failed: %s", provider.name, exc)
                part = BriefingPart(provider.name, provider.name.title(),
                                    ("(unavailable this time)",))
            except Exception:
                log.exception("briefing: part %s crashed", provider.name)
                part = BriefingPart(provider.name, provider.name.title(),
                                    ("(unavailable this time)",))
            if part is not None:
                parts.append(part)
        title = f"Briefing for {local:%A} {local.day} {local:%B %Y}"
        return Briefing(
            created_at=now, planned=planned, local_date=request.local_date,
            local_time=f"{local:%H:%M}", title=title, parts=tuple(parts),
            markdown=render_markdown(title, parts),
            spoken=render_spoken(local, parts, self.config.briefing.spoken_max_words),
        )

    async def deliver(self, briefing: Briefing) -> list[str]:
        """Hand `briefing` to every notifier; returns the names that delivered it.

        Raises SkillError when none did (the parts are then not told, so nothing is lost).
        """
        delivered: list[str] = []
        failed: list[str] = []
        for notifier in self.notifiers:
            try:
                await notifier.deliver(briefing)
            except HearthError as exc:
                log.warning("briefing: notifier %s failed: %s", notifier.name, exc)
                failed.append(f"{notifier.name}: {exc}")
            except Exception as exc:
                log.exception("briefing: notifier %s crashed", notifier.name)
                failed.append(f"{notifier.name}: crashed ({type(exc).__name__})")
            else:
                delivered.append(notifier.name)
        if self.notifiers and not delivered:
            # The reasons go into the run history (`hearth schedule list`), not only the log.
            raise SkillError(f"the briefing reached no notifier ({'; '.join(failed)})",
                             skill="briefing")
        for part in briefing.parts:
            if part.on_delivered is not None:
                await part.on_delivered()
        log.info("briefing %s delivered to %s", briefing.local_date, ", ".join(delivered))
        return delivered

    async def run(self, *, planned: datetime | None = None, trigger: str = "now") -> Briefing:
        """Compose and deliver one briefing."""
        briefing = await self.compose(planned=planned, trigger=trigger)
        await self.deliver(briefing)
        return briefing
