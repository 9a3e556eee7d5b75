"""The daemon's side of `apprise_worker.py`: fill a URL's secrets, run the worker, read its
answer. Nothing here imports Apprise."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from agent.config.notify import PLACEHOLDER, NotifySection
from agent.errors import DeliveryFailed, HearthError
from agent.logs import redact
from agent.notifiers.events import Notice

WORKER = Path(__file__).with_name("apprise_worker.py")
# Apprise's answer is a few hundred bytes; anything bigger is not an answer.
_MAX_ANSWER = 64 * 1024


@dataclass(frozen=True, slots=True)
class FilledUrl:
    """A URL with its secrets in place, and the secret values to scrub from any text."""

    url: str
    secrets: tuple[str, ...]

    def __repr__(self) -> str:  # never print the filled URL, even by accident
        return "FilledUrl(<hidden>)"


def service_of(section: NotifySection) -> str:
    """The URL's scheme (ntfys, tgram, json...): what status and logs show instead of it."""
    return section.url.split("://", 1)[0].lower()


def fill_url(section: NotifySection, environ: Mapping[str, str] | None) -> FilledUrl:
    """`section.url` with each `{placeholder}` replaced by its secret (URL-quoted).

    Raises DeliveryFailed naming the reference (never a value) when a secret is missing.
    """
    values: dict[str, str] = {}
    for key, ref in section.secrets.items():
        try:
            value = ref.resolve(dict(environ) if environ is not None else None)
        except HearthError as exc:  # a secret file readable by others
            raise DeliveryFailed(f"secret {key!r}: {exc}", notifier=section.name) from exc
        if not value:
            raise DeliveryFailed(f"secret {key!r} is not set ({ref.describe()})",
                                 notifier=section.name)
        values[key] = value
    url = PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=""), section.url)
    quoted = {quote(v, safe="") for v in values.values()}
    return FilledUrl(url, tuple(sorted(set(values.values()) | quoted, key=len, reverse=True)))


def message_of(notice: Notice) -> tuple[str, str]:
    """(title, Markdown body): the notice's links that the body does not already carry are
    added as a list, so a reader can open them on any service."""
    body = notice.body.rstrip()
    extra = [(t, u) for t, u in notice.links if u not in body]
    if extra:
        items = "\n".join(f"- [{t or u}](<{u}>)" for t, u in extra)
        body = f"{body}\n\n{items}" if body else items
    return notice.title, body


def scrubbed(text: str, secrets: tuple[str, ...]) -> str:
    """`text` safe to log or show: each secret value and any URL credential masked."""
    return redact(text, secrets)


async def run_worker(request: dict[str, Any], *, timeout: float,
                     secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run one worker process on `request` and return its JSON answer.

    The process is killed when it takes longer than `timeout` seconds (a hung service must
    not hold a delivery slot forever). Raises DeliveryFailed on timeout or a broken answer;
    the worker's stderr is never shown (it could carry a traceback with the URL).
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-I", str(WORKER),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    payload = json.dumps(request).encode()
    try:
        out, _ = await asyncio.wait_for(proc.communicate(payload), timeout)
    except TimeoutError:
        raise DeliveryFailed(f"no answer within {timeout:g} s") from None
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    try:
        answer = json.loads(out[:_MAX_ANSWER] or b"null")
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise DeliveryFailed(f"the delivery worker failed (exit status {proc.returncode})")
    if isinstance(answer.get("error"), str):
        answer["error"] = scrubbed(answer["error"], secrets)
    return answer
