"""The Telegram chat: long polling in, the dispatcher's answers and approval buttons out.

Long polling needs no inbound port (the Pi stays closed). One task polls; each update's id
is saved before the update is handled (`OffsetStore`), so nothing is handled twice, even
across a restart. A network outage backs off (warning once); a 429 waits exactly its
``retry_after``; a 409 (another poller, or a webhook) is named in the log and the status.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, Literal, Protocol

from agent.backoff import backoff
from agent.channels.telegram.api import BotApi
from agent.channels.telegram.offers import Offers, keyboard
from agent.channels.telegram.offset import OffsetStore
from agent.channels.telegram.senders import Allowlist, Sender
from agent.channels.telegram.taps import TapHandler
from agent.channels.telegram.text import html_parts
from agent.config.telegram import TelegramSection
from agent.devices.pending import PendingAction, PendingActions
from agent.dispatch.result import DispatchResult
from agent.errors import (
    HearthError,
    StorageError,
    TelegramConflict,
    TelegramError,
    TelegramTokenRefused,
    TelegramUnavailable,
)
from agent.logs import register_secret

log = logging.getLogger(__name__)

# Same cap as `hearth ask`: a chat message is a request, not a document.
MAX_TEXT_CHARS = 2000
# Messages being answered at once (each may wait on a model); more are told to wait.
MAX_IN_FLIGHT = 8
# Refusals remembered for "log once"; past this, new strangers are counted, not logged.
MAX_REFUSED = 1000
# A 429's retry_after is honoured up to this; a longer one is treated as this.
MAX_RETRY_AFTER_S = 3600.0
ALLOWED_UPDATES = ("message", "callback_query")
# stop(): cancel, wait this long, cancel again; at most this many rounds.
STOP_ROUND_S = 0.5
STOP_ROUNDS = 4
HELP = ("Hearth here. Ask me what you would ask `hearth ask`: \"turn off the kitchen light\", "
        "\"is the back door locked?\". Locks and doors ask for your approval with buttons.")

State = Literal["stopped", "starting", "polling", "offline", "rate_limited", "conflict",
                "token_refused", "storage_error"]
Sleep = Callable[[float], Awaitable[None]]


class Dispatching(Protocol):
    """The part of the dispatcher the chat uses."""

    async def handle_text(self, text: str, *, trigger: str = "ask", dry_run: bool = False,
                          area: str | None = None, conversation: str | None = None,
                          tier: Any = None) -> DispatchResult:
        """Run one free-text request."""
        ...


class Home(Protocol):
    """The part of HomeService the chat uses: approving, the waiting room, safe replies."""

    @property
    def pending(self) -> PendingActions:
        """The waiting room of sensitive actions."""
        ...

    async def confirm(self, action_id: str, *, path: str = "control",
                      detail: str = "") -> dict[str, Any]:
        """Approve and publish a pending action once."""
        ...

    def shared_reply(self, text: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """`text` and `data` without full action ids."""
        ...


class TelegramChannel:
    """A two-way chat with the allowlisted chats of one Telegram bot."""

    def __init__(self, config: TelegramSection, *, token: str, dispatcher: Dispatching,
                 home: Home, state_dir: Path, sleep: Sleep = asyncio.sleep) -> None:
        self.config = config
        self._dispatcher = dispatcher
        self._home = home
        self._sleep = sleep
        self._allow = Allowlist(config.allowed_chats, config.allowed_users)
        self._offsets = OffsetStore(state_dir)
        self._offers = Offers()
        self._state: State = "stopped"
        self._last_error: str | None = None
        self._bot: str | None = None
        self._refused: set[tuple[int | None, int | None]] = set()
        self.counts = {"messages": 0, "refused": 0, "approved": 0, "denied": 0}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._jobs: set[asyncio.Task[None]] = set()
        self._chat_locks: dict[int, asyncio.Lock] = {}
        register_secret(token)  # masked verbatim in every later log line, whatever prints it
        self._api: BotApi | None = None
        try:
            self._api = BotApi(config.api_url, token, timeout=10.0)
        except TelegramTokenRefused as exc:
            self._fail("token_refused", exc)
        self._taps = TapHandler(self)

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Start polling (returns at once; a bad token shows in the status, not here)."""
        if self._task is not None or self._api is None:
            return
        self._state = "starting"
        self._task = asyncio.create_task(self._poll(), name="telegram poll")

    async def stop(self) -> None:
        """Stop polling and answering now (cancels the long poll), then close the client."""
        self._stopping.set()
        tasks = [t for t in (self._task, *self._jobs) if t is not None]
        # Cancelled again if need be: in this project's tests about one stop in five saw
        # its first cancel absorbed inside an in-flight getUpdates (httpx/anyio clean-up),
        # leaving the poll running; a second cancel ends it.
        for _ in range(STOP_ROUNDS):
            live = [t for t in tasks if not t.done()]
            if not live:
                break
            for task in live:
                task.cancel()
            await asyncio.wait(live, timeout=STOP_ROUND_S)
        if left := [t.get_name() for t in tasks if not t.done()]:
            log.warning("telegram: still running after stop: %s", ", ".join(left))
        self._task = None
        if self._api is not None:
            await self._api.aclose()
        self._state = "stopped"

    def status(self) -> dict[str, Any]:
        """What `hearth status` shows: no token, no action id."""
        return {"state": self._state, "bot": f"@{self._bot}" if self._bot else None,
                "last_error": self._last_error, "chats": sorted(self._allow.chats),
                "refused_chats": len(self._refused), "approvals": self.config.approvals,
                "open_offers": len(self._offers), "last_update_id": self._offsets.last,
                **self.counts}

    def offer(self, action: PendingAction) -> None:
        """Send Approve/Deny buttons for `action` to every allowed chat (approvals = "all";
        called for each new pending action). Does nothing while not running."""
        if self._task is None or self._api is None:
            return
        for chat_id in sorted(self._allow.chats):
            self._spawn(self.offer_to(chat_id, action), "telegram offer")

    # -- polling ---------------------------------------------------------------------

    async def _poll(self) -> None:
        assert self._api is not None
        failures = 0
        while not self._stopping.is_set():
            try:
                if self._bot is None:
                    self._bot = str((await self._api.get_me()).get("username") or "") or None
                updates = await self._api.get_updates(
                    self._offsets.next_offset(), self.config.poll_timeout, ALLOWED_UPDATES)
            except TelegramError as exc:
                if self._stopping.is_set():
                    return
                failures += 1
                await self._sleep(self._wait_after(exc, failures))
                continue
            if self._stopping.is_set():
                return  # what came in is not taken (nor saved): the next start gets it
            if failures:
                log.info("telegram: polling again after %d failed attempt(s)", failures)
                failures = 0
            self._state, self._last_error = "polling", None
            try:
                for update in sorted(updates, key=_update_id):
                    await self._take(update)
            except StorageError as exc:
                # Not handled, not confirmed: Telegram hands it over again once the disk works.
                self._fail("storage_error", exc)
                await self._sleep(60.0)

    def _wait_after(self, exc: TelegramError, failures: int) -> float:
        """How long to wait after a failed poll, and what to say about it (once)."""
        if isinstance(exc, TelegramUnavailable) and exc.retry_after is not None:
            self._fail("rate_limited", exc, quiet=failures > 1)
            return min(exc.retry_after, MAX_RETRY_AFTER_S)
        if isinstance(exc, TelegramTokenRefused):
            self._fail("token_refused", exc, quiet=failures > 1)
            return backoff(failures, base=30.0, cap=600.0, jitter=0.25)
        if isinstance(exc, TelegramConflict):
            self._fail("conflict", exc, quiet=failures > 1)
            return backoff(failures, base=5.0, cap=120.0, jitter=0.25)
        self._fail("offline", exc, quiet=failures > 1)
        return backoff(failures, base=1.0, cap=60.0, jitter=0.5)

    def _fail(self, state: State, exc: HearthError, *, quiet: bool = False) -> None:
        # During an outage only the first failure is logged, and any change of kind after it.
        changed = state != self._state
        self._state, self._last_error = state, str(exc)
        if quiet and not changed:
            return
        hint = {"token_refused": "; check telegram.token (hearth doctor)",
                "conflict": "; another program polls this bot, or a webhook is set "
                            "(stop it, or call deleteWebhook)",
                "offline": "; retrying with back-off"}.get(state, "")
        log.warning("telegram: %s%s", exc, hint)

    async def _take(self, update: dict[str, Any]) -> None:
        update_id = _update_id(update)
        if update_id < 0 or self._offsets.taken(update_id):
            return
        # Durable before handled (fsync: a few ms on an SD card, so off the loop).
        await asyncio.to_thread(self._offsets.take, update_id)
        try:
            if isinstance(update.get("message"), dict):
                self._on_message(update["message"])
            elif isinstance(update.get("callback_query"), dict):
                await self._taps.handle(update["callback_query"])
        except HearthError as exc:
            log.warning("telegram: update %d not handled: %s", update_id, exc)

    # -- messages --------------------------------------------------------------------

    def allowed(self, sender: Sender) -> bool:
        """True when `sender` may talk to hearth here; a refusal is logged once per chat."""
        if self._allow.allows(sender):
            return True
        self.counts["refused"] += 1
        if sender.key not in self._refused and len(self._refused) < MAX_REFUSED:
            self._refused.add(sender.key)
            where = ("not in telegram.allowed_chats" if sender.chat_id not in self._allow.chats
                     else "user not in telegram.allowed_users")
            log.warning("telegram: ignoring chat %s (%s, user %s): %s; logged once",
                        sender.chat_id, sender.chat_type or "?", sender.user_id, where)
        return False

    def _on_message(self, message: dict[str, Any]) -> None:
        sender = Sender.of(message.get("chat"), message.get("from"))
        if not self.allowed(sender) or sender.chat_id is None:
            return  # a stranger gets nothing, not even a refusal
        self.counts["messages"] += 1
        chat_id, text = sender.chat_id, message.get("text")
        if len(self._jobs) >= MAX_IN_FLIGHT:
            self._spawn(self.say(chat_id, "Busy with other requests; try again in a minute."),
                        "telegram busy")
            return
        self._spawn(self._answer(chat_id, text), "telegram answer")

    async def _answer(self, chat_id: int, text: object) -> None:
        # One chat's messages are answered in order: follow-ups build on the turn before.
        async with self._chat_locks.setdefault(chat_id, asyncio.Lock()):
            if not isinstance(text, str) or not text.strip():
                await self.say(chat_id, "I read text messages only.")
                return
            if len(text) > MAX_TEXT_CHARS:
                await self.say(chat_id, f"That is too long for me: at most {MAX_TEXT_CHARS} "
                                        "characters, please.")
                return
            if text.strip().split("@")[0] in ("/start", "/help"):
                await self.say(chat_id, HELP)
                return
            result = await self._dispatcher.handle_text(
                text, trigger="telegram", conversation=f"telegram:{chat_id}")
            await self._reply(chat_id, result)

    async def _reply(self, chat_id: int, result: DispatchResult) -> None:
        data = dict(result.reply.data) if result.reply is not None else {}
        reply, _ = self._home.shared_reply(result.text, data)
        await self.say(chat_id, reply)
        if self.config.approvals != "own":
            return  # "all": every pending action is offered through offer()
        held = {a.get("pending_id") for a in data.get("actions") or [] if isinstance(a, dict)
                and a.get("status") == "pending"}
        for action in self._home.pending.pending():
            if action.id in held:
                await self.offer_to(chat_id, action)

    async def offer_to(self, chat_id: int, action: PendingAction) -> None:
        """Send one Approve/Deny pair for `action` to `chat_id` (its nonce is bound to it)."""
        offer = self._offers.new(action.id, action.code, chat_id)
        what = action.device.describe(action.desired.action, action.desired.brightness,
                                      action.desired.position)
        left = max(0.0, action.expires_at - action.created_at)
        text = (f"Approve? {what} (asked as {action.code}; the buttons work once, "
                f"within {left:.0f} s).")
        sent = await self.call(BotApi.send_message, chat_id, html_parts(text)[0],
                               reply_markup=keyboard(offer.nonce))
        if isinstance(sent, dict) and isinstance(sent.get("message_id"), int):
            self._offers.sent(offer.nonce, sent["message_id"])

    # -- sending ---------------------------------------------------------------------

    async def say(self, chat_id: int, text: str) -> None:
        """Send `text` (plain; escaped and split here). Failures are logged, not raised."""
        for part in html_parts(text):
            if await self.call(BotApi.send_message, chat_id, part) is None:
                return

    async def call(self, method: Callable[..., Awaitable[Any]], *args: Any,
                   **kwargs: Any) -> Any:
        """Run ``method(api, *args, **kwargs)`` (a BotApi method), waiting out up to two
        429s; None (logged) when it failed. Sending never raises into the chat's logic."""
        if self._api is None:
            return None
        for attempt in range(3):
            try:
                return await method(self._api, *args, **kwargs)
            except TelegramUnavailable as exc:
                if exc.retry_after is None or attempt == 2:
                    self._note(exc)
                    return None
                await self._sleep(min(exc.retry_after, MAX_RETRY_AFTER_S))
            except TelegramError as exc:
                self._note(exc)
                return None
        return None

    def _note(self, exc: TelegramError) -> None:
        self._last_error = str(exc)
        log.warning("telegram: %s", exc)

    @property
    def offers(self) -> Offers:
        """The open Approve/Deny offers."""
        return self._offers

    @property
    def home(self) -> Home:
        """Where approvals go."""
        return self._home

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._jobs.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._jobs.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("telegram: %s failed: %s", task.get_name(), exc, exc_info=exc)


def _update_id(update: dict[str, Any]) -> int:
    value = update.get("update_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
