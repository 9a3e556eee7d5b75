"""The timers skill's handler: Home Assistant's timer intents, the time, the date, "never mind".

A timer is named by the words a person uses for it: its name ("the pasta timer"), the
duration it was started with ("the 10 minute timer") or its room. When those words fit
several timers, the one in the speaker's room wins; otherwise the reply asks which.
A dry run says what would happen and stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from agent.plugins.contract import Event, Reply, SkillContext, TextEvent
from agent.words import plural
from skills.timers import speech
from skills.timers.runner import TimerRunner
from skills.timers.store import CANCELLED, PAUSED, RUNNING, TimerRow, new_id

HA_INTENTS = (
    "HassStartTimer", "HassCancelTimer", "HassCancelAllTimers", "HassIncreaseTimer",
    "HassDecreaseTimer", "HassPauseTimer", "HassUnpauseTimer", "HassTimerStatus",
    "HassGetCurrentTime", "HassGetCurrentDate", "HassNevermind",
)
# Durations Home Assistant's number lists cannot say ("an hour": its range starts at 1 and
# "an" is no number), one intent per fixed duration.
FIXED_STARTS = {"HearthTimerHour": 3600, "HearthTimerHalfHour": 1800,
                "HearthTimerHourAndHalf": 5400}
_SET = "(set|start|create|make) [a|an|the|my]"
SENTENCES: dict[str, tuple[str, ...]] = {
    "HearthTimerHour": (
        f"{_SET} timer for (an|one) hour", f"{_SET} (one|an) hour timer",
        "timer for (an|one) hour", "remind me to {timer_command:conversation_command} in (an|one) hour",
        "remind me in (an|one) hour to {timer_command:conversation_command}"),
    "HearthTimerHalfHour": (
        f"{_SET} timer for half an hour", f"{_SET} half hour timer",
        "timer for half an hour", "remind me to {timer_command:conversation_command} in half an hour",
        "remind me in half an hour to {timer_command:conversation_command}"),
    "HearthTimerHourAndHalf": (
        f"{_SET} timer for (an|one) hour and a half", "timer for (an|one) hour and a half",
        f"{_SET} timer for one and a half hours"),
    # "set an egg timer for 7 minutes": Home Assistant names timers only after "called".
    "HearthTimerNamed": tuple(
        f"(set|start) [a|an|the|my] {{timer_name:name}} timer for {{timer_{unit}:{unit}}} {word}[s]"
        for unit, word in (("hours", "hour"), ("minutes", "minute"), ("seconds", "second"))),
    "HearthDay": ("what day is it [today]", "(what's|what is) the day [today]",
                  "which day is it [today]", "what day of the week is it"),
}
MAX_RUNNING = 50
MAX_SECONDS = 24 * 3600
_UNIT = {"hours": 3600, "minutes": 60, "seconds": 1}


def _value(slot: Any) -> Any:
    return slot.get("value") if isinstance(slot, Mapping) else slot


def _seconds(values: Mapping[str, Any], prefix: str = "") -> int | None:
    """Hours, minutes and seconds slots (digits arrive as floats, words as ints) in seconds."""
    total = 0.0
    found = False
    for unit, factor in _UNIT.items():
        raw = values.get(prefix + unit)
        if raw is None:
            continue
        try:
            total += float(raw) * factor
        except (TypeError, ValueError):
            raise ValueError(f"I did not understand {raw!r} {unit}.") from None
        found = True
    return round(total) if found else None


def _reminder(said: Any) -> str | None:
    """What to remind of: Home Assistant's command slot keeps "remind me to" in front."""
    if not said:
        return None
    text = " ".join(str(said).split()).strip(" .,!?")
    lowered = text.lower()
    for lead in ("remind me to ", "remind me ", "reminder to "):
        if lowered.startswith(lead):
            text = text[len(lead):]
            break
    return text[:300] or None


def _norm(text: str | None) -> str:
    words = (text or "").lower().replace("'s", "").split()
    return " ".join(w for w in words if w not in ("the", "my", "a", "timer"))


@dataclass(frozen=True, slots=True)
class Ask:
    """Which timer(s) a request means, from its slots."""

    name: str | None = None
    start_s: int | None = None
    area: str | None = None
    here: str | None = None

    @property
    def narrows(self) -> bool:
        """Whether the words name some timers rather than "the timer"."""
        return self.name is not None or self.start_s is not None or self.area is not None

    def fits(self, row: TimerRow) -> bool:
        """Whether `row` is one of the timers the words describe."""
        if self.name is not None and _norm(row.name) != _norm(self.name):
            return False
        if self.start_s is not None and row.duration_s != self.start_s:
            return False
        return self.area is None or (row.area or "").lower() == self.area.lower()


class TimerSkill:
    """Handles one runtime's timer requests (state lives in the database and the runner)."""

    def __init__(self, runner: TimerRunner) -> None:
        self.runner = runner
        self.store = runner.store

    async def handle(self, ctx: SkillContext, event: Event) -> Reply | None:
        """Run one request; bad or unknown input gets a short spoken answer."""
        if not isinstance(event, TextEvent) or event.intent is None:
            return Reply("I can set, change and cancel timers: say, for example, "
                         "\"set a timer for 10 minutes\".", {"op": "timer.help"})
        values = {k: _value(v) for k, v in event.slots.items()}
        here = getattr(event, "area", None)
        try:
            return await self._intent(event.intent, values, here, event.dry_run)
        except ValueError as exc:
            return Reply(str(exc), {"op": "timer.refused", "error": str(exc)})

    async def _intent(self, intent: str, values: dict[str, Any], here: str | None,
                      dry_run: bool) -> Reply:
        if intent in ("HassGetCurrentTime", "HassGetCurrentDate", "HearthDay",
                      "HassNevermind"):
            return self._clock(intent)
        ask = Ask(name=values.get("name"), start_s=_seconds(values, "start_"),
                  area=values.get("area"), here=here)
        if intent in ("HassStartTimer", "HearthTimerNamed") or intent in FIXED_STARTS:
            seconds = FIXED_STARTS.get(intent) or _seconds(values)
            return await self._start(seconds, values, here, dry_run)
        if intent == "HassCancelAllTimers":
            return await self._cancel_all(ask, dry_run)
        if intent == "HassTimerStatus":
            return await self._status(ask)
        if intent in ("HassIncreaseTimer", "HassDecreaseTimer"):
            delta = _seconds(values)
            if not delta:
                raise ValueError("By how much? Say, for example, \"add 5 minutes to the timer\".")
            sign = 1 if intent == "HassIncreaseTimer" else -1
            return await self._adjust(ask, sign * delta, dry_run)
        if intent in ("HassCancelTimer", "HassPauseTimer", "HassUnpauseTimer"):
            return await self._one_op(intent, ask, dry_run)
        raise ValueError(f"The timers skill does not handle {intent}.")

    def _clock(self, intent: str) -> Reply:
        local = self.runner.clock.now().astimezone(self.runner.zone)
        if intent == "HassNevermind":
            return Reply("OK.", {"op": "nevermind"})
        if intent == "HassGetCurrentTime":
            return Reply(f"It's {speech.clock_time(local)}.",
                         {"op": "time", "time": local.strftime("%H:%M"),
                          "zone": str(self.runner.zone)})
        return Reply(f"It's {speech.day(local)}.",
                     {"op": "date", "date": local.date().isoformat(),
                      "weekday": local.strftime("%A"), "zone": str(self.runner.zone)})

    async def _start(self, seconds: int | None, values: Mapping[str, Any], here: str | None,
                     dry_run: bool) -> Reply:
        if not seconds or seconds <= 0:
            raise ValueError("For how long? Say, for example, \"set a timer for 10 minutes\".")
        if seconds > MAX_SECONDS:
            raise ValueError(f"Timers last at most 24 hours; {speech.duration(seconds)} "
                             "is too long.")
        running = await self.store.active()
        if len(running) >= MAX_RUNNING:
            raise ValueError(f"{MAX_RUNNING} timers are already set; cancel one first.")
        name = str(values["name"]).strip()[:80] if values.get("name") else None
        command = _reminder(values.get("conversation_command"))
        area = str(values.get("area") or here or "")[:80] or None
        now = self.runner.clock.now()
        row = TimerRow(id=new_id(), name=name, area=area, command=command, duration_s=seconds,
                       started_at=now, ends_at=now + timedelta(seconds=seconds),
                       remaining_s=None, status=RUNNING, finished_at=None, announced=False,
                       requested_by="text")
        said = speech.duration(seconds)
        text = (f"I'll remind you to {command} in {said}." if command
                else f"{speech.label(name, seconds).capitalize()} is set for {said}." if name
                else f"Timer set for {said}.")
        data: dict[str, Any] = {"op": "timer.start", "duration_s": seconds, "name": name,
                                "area": area, "command": command}
        if dry_run:
            return Reply(text, data)
        await self.store.add(row)
        self.runner.arm(row)
        await self.runner.publish("started", row, now, text=text)
        if not self.runner.live:
            text += " (hearth is not running: it will ring once it starts.)"
        return Reply(text, {**data, "id": row.id, "ends_at": row.ends_at.isoformat()
                            if row.ends_at else None})

    async def _candidates(self, ask: Ask, status: tuple[str, ...] = (RUNNING, PAUSED)
                          ) -> tuple[list[TimerRow], list[TimerRow]]:
        """(timers the words fit, every timer in `status`)."""
        rows = [r for r in await self.store.active() if r.status in status]
        return [r for r in rows if ask.fits(r)], rows

    def _pick(self, fits: list[TimerRow], ask: Ask) -> TimerRow | list[TimerRow]:
        if len(fits) > 1 and ask.here:
            mine = [r for r in fits if (r.area or "").lower() == ask.here.lower()]
            if len(mine) == 1:
                return mine[0]
        return fits[0] if len(fits) == 1 else fits

    def _which(self, fits: list[TimerRow], now: Any) -> str:
        names = [f"{speech.label(r.name, r.duration_s)} ({speech.duration(r.left(now))} left)"
                 for r in fits]
        listed = ", ".join(names[:-1]) + f" or {names[-1]}"
        return f"Which timer: {listed}?"

    async def _one_op(self, intent: str, ask: Ask, dry_run: bool) -> Reply:
        op = {"HassCancelTimer": "timer.cancel", "HassPauseTimer": "timer.pause",
              "HassUnpauseTimer": "timer.unpause"}[intent]
        status = {"timer.pause": (RUNNING,), "timer.unpause": (PAUSED,)}.get(op, (RUNNING, PAUSED))
        fits, _ = await self._candidates(ask, status)
        now = self.runner.clock.now()
        if not fits:
            what = {"timer.pause": " running", "timer.unpause": " paused"}.get(op, "")
            return Reply(f"There is no{what} timer{' like that' if ask.narrows else ''}.",
                         {"op": op, "found": 0})
        picked = self._pick(fits, ask)
        if isinstance(picked, list):
            return Reply(self._which(picked, now), {"op": op, "found": len(picked),
                                                    "choices": [r.id for r in picked]})
        label = speech.label(picked.name, picked.duration_s)
        data = {"op": op, "id": picked.id, "name": picked.name,
                "duration_s": picked.duration_s}
        if op == "timer.cancel":
            text = f"{label.capitalize()} is cancelled."
            changes: dict[str, Any] = {"status": CANCELLED, "finished_at": now}
        elif op == "timer.pause":
            text = f"{label.capitalize()} is paused with {speech.duration(picked.left(now))} left."
            changes = {"status": PAUSED, "ends_at": None, "remaining_s": picked.left(now)}
        else:
            left = picked.left(now)
            text = f"{label.capitalize()} is running again: {speech.duration(left)} left."
            changes = {"status": RUNNING, "remaining_s": None,
                       "ends_at": now + timedelta(seconds=left)}
        if dry_run:
            return Reply(text, data)
        return await self._apply(picked, changes, text, data, now)

    async def _apply(self, row: TimerRow, changes: dict[str, Any], text: str,
                     data: dict[str, Any], now: Any) -> Reply:
        changed = await self.store.change(row.id, **changes)
        if changed is None:
            return Reply("That timer just ended.", {**data, "found": 0})
        if changed.status == RUNNING:
            self.runner.arm(changed)
        else:
            self.runner.disarm(changed.id)
        event = "cancelled" if changed.status == CANCELLED else "updated"
        await self.runner.publish(event, changed, now, text=text)
        return Reply(text, data)

    async def _cancel_all(self, ask: Ask, dry_run: bool) -> Reply:
        fits, _ = await self._candidates(ask)
        where = f" in the {ask.area}" if ask.area else ""
        if not fits:
            return Reply(f"There are no timers{where}.", {"op": "timer.cancel_all", "count": 0})
        text = f"Cancelled {plural(len(fits), 'timer')}{where}."
        data = {"op": "timer.cancel_all", "count": len(fits), "ids": [r.id for r in fits]}
        if dry_run:
            return Reply(text, data)
        now = self.runner.clock.now()
        for row in fits:
            changed = await self.store.change(row.id, status=CANCELLED, finished_at=now)
            self.runner.disarm(row.id)
            if changed is not None:
                await self.runner.publish("cancelled", changed, now, text=text)
        return Reply(text, data)

    async def _adjust(self, ask: Ask, delta: int, dry_run: bool) -> Reply:
        op = "timer.increase" if delta > 0 else "timer.decrease"
        fits, _ = await self._candidates(ask)
        now = self.runner.clock.now()
        if not fits:
            return Reply(f"There is no timer{' like that' if ask.narrows else ''}.",
                         {"op": op, "found": 0})
        picked = self._pick(fits, ask)
        if isinstance(picked, list):
            return Reply(self._which(picked, now), {"op": op, "found": len(picked),
                                                    "choices": [r.id for r in picked]})
        left = max(0, picked.left(now) + delta)
        if left > MAX_SECONDS:
            raise ValueError("Timers last at most 24 hours.")
        label = speech.label(picked.name, picked.duration_s).capitalize()
        text = (f"{label} has {speech.duration(left)} left." if left
                else f"{label} is done now.")
        data = {"op": op, "id": picked.id, "name": picked.name, "delta_s": delta,
                "remaining_s": left, "duration_s": picked.duration_s}
        if dry_run:
            return Reply(text, data)
        changes: dict[str, Any] = ({"remaining_s": left} if picked.status == PAUSED
                                   else {"ends_at": now + timedelta(seconds=left)})
        return await self._apply(picked, changes, text, data, now)

    async def _status(self, ask: Ask) -> Reply:
        fits, _ = await self._candidates(ask)
        now = self.runner.clock.now()
        if not fits:
            return Reply("There is no timer like that." if ask.narrows else "No timers are set.",
                         {"op": "timer.status", "timers": []})
        lines = []
        for row in fits:
            state = " (paused)" if row.status == PAUSED else ""
            lines.append(f"{speech.label(row.name, row.duration_s).capitalize()} has "
                         f"{speech.duration(row.left(now))} left{state}.")
        timers = [{"id": r.id, "name": r.name, "area": r.area, "status": r.status,
                   "duration_s": r.duration_s, "remaining_s": r.left(now)} for r in fits]
        return Reply(" ".join(lines), {"op": "timer.status", "timers": timers})


__all__ = ["FIXED_STARTS", "HA_INTENTS", "MAX_RUNNING", "SENTENCES", "TimerSkill"]
