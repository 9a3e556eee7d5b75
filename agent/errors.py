"""Every error hearth raises on purpose, named for what the caller does next.

    HearthError                     root; the CLI maps it to a message and an exit code
    ├── ConfigError                 fix the config file (exit 78, EX_CONFIG)
    ├── CredentialRefused           replace the credential (exit 78)
    │   └── SecretFileExposed       the secret file is readable by others: chmod 600 it
    ├── StartupError                fix the installation (duplicate skills, lock held, ...)
    │   └── AlreadyRunning          another daemon owns the state directory
    ├── StorageError                fix the disk (read-only, full, unwritable); exit 73/74
    ├── BudgetExceeded              wait for the next period or raise the cap
    ├── PriceUnknown                add the model to the price table (fail closed)
    ├── LedgerError                 the ledger could not be written; make no paid call
    ├── ModelError                  a model call failed
    │   ├── ModelUnavailable        retry later (carries retry_after seconds when known)
    │   ├── ModelRequestRejected    the request itself is wrong; do not retry
    │   │   └── PrivacyRefused      it would send data scopes the cloud may not see
    │   ├── ScopeNotAllowed         not on this cloud tier (scopes); the next tier is tried
    │   ├── ModelAuthFailed         the key was rejected; stop paid calls
    │   ├── PaymentRequired         the account is out of credit; stop paid calls
    │   └── ModelResponseInvalid    the answer failed parsing or validation; escalate
    ├── ToolNotGranted              a model asked for a tool its skill was not granted
    ├── SkillError                  a skill failed; the daemon carries on
    ├── MalformedMessage            bad input from outside (broker, socket); drop and count it
    │   ├── RefusedMessage          ... and worth a log line every time
    │   └── ProtocolError           a control-socket line that is not a request or reply
    ├── DeviceError                 a device command could not be planned or sent
    │   ├── BrokerUnavailable       the broker is not connected; the message was not sent
    │   └── PublishFailed           the broker did not acknowledge a publish
    ├── DeliveryFailed              a notifier could not deliver; the others still try
    ├── FeedRejected                a feed could not be used; the other feeds carry on
    │   └── FeedTooLarge            over a byte cap; carries what was read up to it
    ├── ControlError                the daemon was reached but the command failed
    │   └── DaemonNotRunning        no daemon listens on the control socket: start hearth
    └── TelegramError               a Telegram Bot API call failed; the chat carries on
        ├── TelegramUnavailable     network, 5xx or 429: retry later (retry_after when known)
        ├── TelegramTokenRefused    401/404: the bot token is wrong or revoked; replace it
        └── TelegramConflict        409: another poller or a webhook takes the bot's updates

Every subclass of HearthError lives in this module (tests/test_errors.py checks it), so the
tree above is the whole list. MalformedMessage is also a ValueError: code that validates
input and catches ValueError keeps working, but the MQTT inbox counts *only*
MalformedMessage as "malformed"; any other exception of a handler is a handler error,
logged with its traceback.

Foreign exceptions (anthropic, ollama, paho, sqlalchemy, httpx) are translated once, in
their adapter, with ``raise ... from exc``; they never reach skills or the CLI.
"""

from __future__ import annotations

from typing import Any

EX_SOFTWARE = 70
EX_UNAVAILABLE = 69
EX_CANTCREAT = 73
EX_IOERR = 74
EX_TEMPFAIL = 75
EX_CONFIG = 78


class HearthError(Exception):
    """Root of hearth's errors. ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1


class ConfigError(HearthError):
    """The configuration is invalid. ``problems`` holds one line per bad field."""

    exit_code = EX_CONFIG

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems: list[str] = list(problems or [])
        detail = "".join(f"\n  {p}" for p in self.problems)
        super().__init__(f"{message}{detail}")


class CredentialRefused(HearthError):
    """A credential hearth must not use (for example a Claude.ai OAuth token)."""

    exit_code = EX_CONFIG


class SecretFileExposed(CredentialRefused):
    """A secret file is readable by group or others; the fix is ``chmod 600 <path>``."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(f"secret file {path} is readable by group or others; "
                         f"run: chmod 600 {path}")


class StartupError(HearthError):
    """The daemon cannot start as installed (for example two skills claim one name)."""

    exit_code = EX_SOFTWARE


class AlreadyRunning(StartupError):
    """Another hearth daemon holds the lock on this state directory."""

    exit_code = EX_TEMPFAIL


class StorageError(HearthError):
    """The state directory, lock file or database cannot be created or written (read-only
    file system, no permission, disk full). Restarting cannot fix it, so the unit lists both
    exit codes in RestartPreventExitStatus: 73 (EX_CANTCREAT) when a file cannot be created
    or opened for writing, 74 (EX_IOERR) when the disk is full or failing."""

    exit_code = EX_CANTCREAT

    def __init__(self, message: str, *, exit_code: int = EX_CANTCREAT) -> None:
        self.exit_code = exit_code
        super().__init__(message)


class BudgetExceeded(HearthError):
    """A spending cap would be crossed; the call was not made."""

    exit_code = EX_UNAVAILABLE

    def __init__(self, message: str, *, cap: str = "", left_micros: int = 0) -> None:
        self.cap = cap
        self.left_micros = left_micros
        super().__init__(message)


class PriceUnknown(HearthError):
    """A paid model has no price in the table; hearth refuses rather than guess $0."""

    exit_code = EX_CONFIG


class LedgerError(HearthError):
    """The spend ledger could not be read or written."""

    exit_code = EX_SOFTWARE


class ModelError(HearthError):
    """A model call failed. ``backend`` names the adapter that raised it."""

    exit_code = EX_UNAVAILABLE

    def __init__(self, message: str, *, backend: str = "", status: int | None = None) -> None:
        self.backend = backend
        self.status = status
        super().__init__(message)


class ModelUnavailable(ModelError):
    """Temporarily unavailable (down, overloaded, rate limited, timed out); retry later."""

    def __init__(
        self,
        message: str,
        *,
        backend: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        billed_unknown: bool = False,
    ) -> None:
        self.retry_after = retry_after
        # True when the request may have reached the provider (a timeout after sending):
        # the ledger must then count the reservation as spent.
        self.billed_unknown = billed_unknown
        super().__init__(message, backend=backend, status=status)


class ModelRequestRejected(ModelError):
    """The provider refused the request as malformed (400/404/413/422); do not retry."""


class PrivacyRefused(ModelRequestRejected):
    """A cloud request would carry data scopes its skill may not send there; never sent."""


class ScopeNotAllowed(ModelError):
    """A cloud tier may not see this request's data scopes; the router tries the next tier."""


class ModelAuthFailed(ModelError):
    """The provider refused the credential (401/403); stop paid calls until fixed."""


class PaymentRequired(ModelError):
    """The provider wants payment (402); stop paid calls until the next period or restart."""


class ModelResponseInvalid(ModelError):
    """The answer could not be parsed or failed its validator; escalation may help."""


class ToolNotGranted(HearthError):
    """A model asked for a tool that its skill was not granted. Nothing ran."""

    def __init__(self, tool: str, skill: str) -> None:
        self.tool = tool
        self.skill = skill
        super().__init__(f"skill {skill!r} was not granted tool {tool!r}; refused")


class SkillError(HearthError):
    """A skill failed while handling work; the daemon keeps serving."""

    def __init__(self, message: str, *, skill: str = "") -> None:
        self.skill = skill
        super().__init__(message)


class DeviceError(HearthError):
    """A device command could not be planned or delivered."""


class MalformedMessage(HearthError, ValueError):
    """Input from outside (an MQTT payload, a control-socket line) that is not what its
    topic or protocol carries: bad UTF-8, bad JSON, a failed schema. Drop it and count it;
    never a traceback. ``log_always`` False lets the receiver throttle its warnings."""

    log_always = False


class RefusedMessage(MalformedMessage):
    """A malformed message worth a log line every time (the bridge throttles the others).

    Refusing a whole Zigbee2MQTT device list is rare and consequential: each one is logged.
    """

    log_always = True


class ProtocolError(MalformedMessage):
    """A control-socket line that is not a well-formed request or reply."""


class BrokerUnavailable(DeviceError):
    """The broker is not connected; the message was not sent (and will not be sent late)."""


class PublishFailed(DeviceError):
    """The broker could not be reached or did not acknowledge a publish in time."""


class DeliveryFailed(HearthError):
    """A notifier could not deliver a briefing; the others still try."""

    def __init__(self, message: str, *, notifier: str = "") -> None:
        self.notifier = notifier
        super().__init__(message)


class FeedRejected(HearthError):
    """A feed could not be used (unreachable, refused, too big, malformed); others carry on."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class FeedTooLarge(FeedRejected):
    """The feed is over a byte cap; ``partial.body`` holds the decoded bytes up to the cap.

    ``partial`` is an `agent.feeds.http.FetchResult`; typed loosely here because this module
    imports nothing of hearth's.
    """

    def __init__(self, message: str, partial: Any) -> None:
        self.partial = partial
        super().__init__(message, status=getattr(partial, "status", None))


class ControlError(HearthError):
    """The daemon was reached but the command failed (refused, timed out, garbled)."""

    exit_code = EX_SOFTWARE


class DaemonNotRunning(ControlError):
    """No daemon listens on the control socket: start hearth, or point at its socket."""

    exit_code = EX_UNAVAILABLE


class TelegramError(HearthError):
    """A Telegram Bot API call failed (``status`` is the HTTP or Bot API error code).

    Messages never carry the request URL: the bot token is part of its path.
    """

    exit_code = EX_UNAVAILABLE

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class TelegramUnavailable(TelegramError):
    """Unreachable, a 5xx, or rate limited (429); ``retry_after`` seconds when Telegram said."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=status)


class TelegramTokenRefused(TelegramError):
    """Telegram does not know the bot token (401 or 404): create or copy it again."""

    exit_code = EX_CONFIG


class TelegramConflict(TelegramError):
    """409: another getUpdates poller (a second daemon?) or a webhook takes the updates."""
