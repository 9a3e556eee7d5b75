"""The reply of the ``status`` command: its keys (typed) and its rendering for a terminal.

The daemon builds a ``StatusReply``; ``hearth status`` renders whatever it receives and
shows ``?`` for a key a (newer or older) daemon did not send, rather than failing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from agent.control.questions import questions_line
from agent.words import MICROS_PER_USD, money, plural

log = logging.getLogger(__name__)


class BrokerState(TypedDict):
    """The MQTT connection."""

    connected: bool
    host: str
    port: int
    since: str | None  # ISO-8601 time of the last connect or disconnect
    last_error: str | None


class OllamaState(TypedDict):
    """The local model server, as last seen (None: not probed yet)."""

    reachable: bool | None
    host: str
    last_error: str | None


class QueueState(TypedDict):
    """One bounded queue inside the daemon."""

    depth: int
    capacity: int | None
    dropped: int


class SkillState(TypedDict):
    """One loaded skill and how its work went (keyed by the skill's name)."""

    tier: str
    runs: int
    errors: int
    last_run: str | None  # ISO-8601
    last_ok: bool | None
    last_error: str | None


class SpendState(TypedDict):
    """Money as JSON numbers of US dollars (``agent.words.usd_value``); caps and what is left
    are None (``null``) when uncapped."""

    today_usd: float
    daily_cap_usd: float | None
    daily_left_usd: float | None
    month_usd: float
    monthly_cap_usd: float | None
    monthly_left_usd: float | None


class ClaudeState(TypedDict):
    """Whether paid Claude calls can be made: the key, a halt, and how the last call went."""

    key_present: bool
    usable: bool
    halted: str | None        # why paid calls are stopped (refused key, 402), if they are
    last_call_at: str | None  # ISO-8601
    last_call_ok: bool | None


def claude_section(*, key_present: bool, halted: str | None,
                   last_call_at: datetime | None = None,
                   last_call_ok: bool | None = None) -> ClaudeState:
    """The ``claude`` section from what the router knows (``BackendHealth`` and its last
    paid call): usable means a key is there and paid calls are not halted."""
    return {"key_present": key_present, "usable": key_present and not halted,
            "halted": halted, "last_call_at": last_call_at.isoformat() if last_call_at else None,
            "last_call_ok": last_call_ok}


class StatusReply(TypedDict):
    """Everything ``status`` returns."""

    version: str
    pid: int
    state: str  # "starting" | "running" | "stopping"
    started_at: str  # ISO-8601
    uptime_seconds: float
    broker: BrokerState
    ollama: OllamaState
    queues: dict[str, QueueState]
    skills: dict[str, SkillState]
    spend: SpendState
    claude: ClaudeState


StatusSource = Callable[[], Awaitable[dict[str, Any]]]


async def collect_status(
    header: Mapping[str, Any],
    sources: Mapping[str, StatusSource],
    *,
    timeout: float = 2.0,
) -> dict[str, Any]:
    """The ``status`` reply: `header` (version, pid, state, started_at, uptime_seconds) plus
    one section per source, gathered concurrently.

    A source that raises or takes longer than `timeout` seconds becomes
    ``{"error": "..."}``: one broken part must not hide the state of the others.
    """
    names = list(sources)

    async def one(name: str) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(sources[name](), timeout)
        except TimeoutError:
            return {"error": f"no answer within {timeout:g} s"}
        except Exception as exc:
            log.warning("status source %r failed", name, exc_info=True)
            return {"error": f"{type(exc).__name__}: {exc}"[:200]}

    sections = await asyncio.gather(*(one(n) for n in names))
    return {**header, **dict(zip(names, sections, strict=True))}


def _get(data: Mapping[str, Any], key: str) -> Any:
    value = data.get(key) if isinstance(data, Mapping) else None
    return "?" if value is None and key not in data else value


def format_duration(seconds: float) -> str:
    """``3d 4h 5m`` style, seconds only below a minute."""
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if total < 60:
        return f"{secs}s"
    parts = [f"{days}d"] if days else []
    if days or hours:
        parts.append(f"{hours}h")
    parts.append(f"{minutes}m")
    return " ".join(parts)


def _micros(value: Any) -> int | None:
    """Dollars as sent (a number, or a decimal string from an older daemon) in µ$."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int((Decimal(str(value)) * MICROS_PER_USD).to_integral_value())
    except (InvalidOperation, ValueError):
        return None


def _money(value: Any) -> str:
    micros = _micros(value)
    return "?" if micros is None else money(micros)


def local_time(value: Any) -> str:
    """An ISO-8601 time from the daemon as local ``YYYY-MM-DD HH:MM`` (as sent if not ISO)."""
    if not isinstance(value, str):
        return "?" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def _without_prefix(name: str, error: str) -> str:
    # The router words its problems "ollama: ..."; on the "ollama:" line that is said twice.
    return "; ".join(part.strip().removeprefix(f"{name}: ") for part in error.split("; "))


def _connection(name: str, state: Any, up: str, down: str) -> str:
    if not isinstance(state, Mapping):
        return f"{name}: ?"
    if "error" in state and len(state) == 1:
        return f"{name}: ? (status unavailable: {state['error']})"
    flag = state.get("connected", state.get("reachable"))
    where = state.get("host", "?")
    if "port" in state:
        where = f"{where}:{state['port']}"
    word = up if flag else ("not checked yet" if flag is None else down)
    line = f"{name}: {word} ({where})"
    if state.get("since"):
        line += f" since {local_time(state['since'])}"
    if not flag and state.get("last_error"):
        line += f": {_without_prefix(name, str(state['last_error']))}"
    return line


def _claude_line(claude: Any) -> str:
    if not isinstance(claude, Mapping):
        return "claude: ? (this daemon does not report it)"
    return f"claude: {_claude_words(claude)}"


def _claude_words(claude: Mapping[str, Any]) -> str:
    if "error" in claude and len(claude) == 1:
        return f"? (status unavailable: {claude['error']})"
    if not claude.get("key_present"):
        return "not usable: no API key"
    if claude.get("halted"):
        return f"not usable: {_without_prefix('anthropic', str(claude['halted']))}"
    at = claude.get("last_call_at")
    if not at:
        return "key present, not used yet"
    if claude.get("last_call_ok"):
        return f"usable (last call accepted {local_time(at)})"
    return f"key present, but the last call failed ({local_time(at)})"


def _spend_lines(spend: Any) -> list[str]:
    if not isinstance(spend, Mapping):
        return ["spend: ?"]
    if "error" in spend and len(spend) == 1:
        return [f"spend: ? (status unavailable: {spend['error']})"]
    lines = []
    for period, cap_key, left_key, used_key in (
        ("today", "daily_cap_usd", "daily_left_usd", "today_usd"),
        ("this month", "monthly_cap_usd", "monthly_left_usd", "month_usd"),
    ):
        used = _money(spend.get(used_key))
        if spend.get(cap_key) is None:
            lines.append(f"spend {period}: {used} (no cap)")
        else:
            lines.append(f"spend {period}: {used} of {_money(spend.get(cap_key))} "
                         f"({_money(spend.get(left_key))} left)")
    return lines


def render_status(reply: Mapping[str, Any]) -> str:
    """A human-readable page from a status reply (tolerates missing keys)."""
    uptime = reply.get("uptime_seconds")
    lines = [
        f"hearth {_get(reply, 'version')} (pid {_get(reply, 'pid')}): "
        f"{_get(reply, 'state')}, up "
        f"{format_duration(uptime) if isinstance(uptime, int | float) else '?'}",
        _connection("broker", reply.get("broker"), "connected", "DISCONNECTED"),
        _connection("ollama", reply.get("ollama"), "reachable", "UNREACHABLE"),
        _claude_line(reply.get("claude")),
        *_spend_lines(reply.get("spend")),
    ]
    if isinstance(reply.get("questions"), Mapping) and "error" not in reply["questions"]:
        lines.append(f"questions: {questions_line(reply['questions'])}")
    lines.extend(_channel_lines(reply))
    queues = reply.get("queues")
    if isinstance(queues, Mapping) and queues:
        lines.append("queues:")
        for name, q in sorted(queues.items()):
            if not isinstance(q, Mapping):
                lines.append(f"  {name}: ?")
                continue
            cap = f"/{q['capacity']}" if q.get("capacity") else ""
            dropped = f", {q['dropped']} dropped" if q.get("dropped") else ""
            lines.append(f"  {name}: {q.get('depth', '?')}{cap}{dropped}")
    lines.extend(_skill_lines(reply.get("skills")))
    return "\n".join(lines)


def _channel_lines(reply: Mapping[str, Any]) -> list[str]:
    """The phone chat and the notification services, when this daemon has them."""
    lines = []
    chat = reply.get("telegram")
    if isinstance(chat, Mapping):
        if "error" in chat and len(chat) == 1:
            lines.append(f"telegram: ? (status unavailable: {chat['error']})")
        else:
            line = (f"telegram: {chat.get('state', '?')} as {chat.get('bot') or '?'}, "
                    f"{_count(len(chat.get('chats') or ()), 'allowed chat')}, "
                    f"{_count(chat.get('messages', 0), 'message')}, "
                    f"{chat.get('approved', 0)} approved / {chat.get('denied', 0)} denied")
            if chat.get("refused_chats"):
                line += f", {_count(chat['refused_chats'], 'stranger')} ignored"
            if chat.get("last_error") and chat.get("state") != "polling":
                line += f"; last error: {chat['last_error']}"
            lines.append(line)
    notify = reply.get("notify")
    services = notify.get("services") if isinstance(notify, Mapping) else None
    if isinstance(services, list) and services:
        lines.append("notify:")
        for item in services:
            if not isinstance(item, Mapping):
                continue
            line = (f"  {item.get('name', '?')} ({item.get('service', '?')}): "
                    f"{item.get('delivered', 0)} delivered, {item.get('failed', 0)} failed")
            if item.get("queued") or item.get("held"):
                line += f", {item.get('queued', 0)} queued, {item.get('held', 0)} held"
            if item.get("last_error"):
                line += f"; last failure: {item['last_error']}"
            lines.append(line)
    return lines


def _skill_lines(skills: Any) -> list[str]:
    if isinstance(skills, list):  # tolerate a list of {name: ..., ...} as well
        skills = {s.get("name", "?"): s for s in skills if isinstance(s, Mapping)}
    if not isinstance(skills, Mapping) or not skills:
        return []
    if "error" in skills and len(skills) == 1:
        return [f"skills: ? (status unavailable: {skills['error']})"]
    lines = ["skills:"]
    for name, s in sorted(skills.items()):
        if not isinstance(s, Mapping):
            lines.append(f"  {name}: ?")
            continue
        last = local_time(s["last_run"]) if s.get("last_run") else "never"
        outcome = "" if s.get("last_ok") is None else (" ok" if s["last_ok"] else " FAILED")
        line = (f"  {name} [{s.get('tier', '?')}]: last run {last}{outcome}, "
                f"{_count(s.get('runs', 0), 'run')}, {_count(s.get('errors', 0), 'error')}")
        if s.get("last_error"):
            line += f"; last error: {s['last_error']}"
        lines.append(line)
    return lines


def _count(n: Any, word: str) -> str:
    return plural(n, word) if isinstance(n, int) else f"{n} {word}s"
