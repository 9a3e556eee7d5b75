"""A one-shot process that delivers one notification (or checks URLs) with Apprise.

Run as ``python -I apprise_worker.py`` with one JSON request on stdin; prints one JSON
result on stdout. Importing Apprise and loading its plugins costs about 36 MB that an idle
daemon should not carry, so the daemon never imports it: each delivery pays ~0.4 s of
start-up in this short-lived process instead, and the memory goes back when it exits.

This file imports nothing from hearth (``-I`` keeps hearth's directory off ``sys.path``).
Apprise's log lines can carry the URL's secrets, so they are never printed: a failure is
summarised from Apprise's WARNING messages with every secret value given in the request
replaced.

Requests::

    {"op": "notify", "url": "...", "title": "...", "body": "...", "format": "markdown",
     "secrets": ["..."]}
    -> {"ok": true|false, "status": "SUCCESS|FAILURE|...", "error": "...", "peak_rss_kb": N}
    {"op": "check", "urls": ["...", ...], "secrets": [...]}
    -> {"results": [{"ok": bool, "service": "ntfy", "error": "..."}], "peak_rss_kb": N}
"""

from __future__ import annotations

import json
import logging
import re
import resource
import sys
from typing import Any

# Apprise's own userinfo and token masking is not enough (custom headers stay in clear).
_USERINFO = re.compile(r"(\w+://)[^/\s@]+@")
_MAX_ERROR = 300


class _Collect(logging.Handler):
    """Keeps Apprise's WARNING and ERROR messages for the failure summary."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.messages.append(record.getMessage())
        except Exception:  # noqa: BLE001 - a bad log record must not end the delivery
            self.messages.append(record.msg if isinstance(record.msg, str) else "log error")


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "[redacted]")
    text = _USERINFO.sub(r"\1[redacted]@", text)
    return text[:_MAX_ERROR]


def _setup() -> _Collect:
    collect = _Collect()
    log = logging.getLogger("apprise")
    # DEBUG lines print headers and payloads with tokens; WARNING is enough to explain a failure.
    log.setLevel(logging.WARNING)
    log.propagate = False
    log.handlers[:] = [collect]
    return collect


def _plugin(url: str) -> Any:
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is not None and "overflow=" not in url:
        # Split a long briefing into several messages at the service's own limit instead of
        # letting the service cut it (Apprise's default); `?overflow=` in the URL overrides.
        plugin.overflow_mode = apprise.common.OverflowMode.SPLIT
    return plugin


def _notify(request: dict[str, Any], collect: _Collect) -> dict[str, Any]:
    import apprise

    secrets = [str(s) for s in request.get("secrets", [])]
    plugin = _plugin(str(request["url"]))
    if plugin is None:
        return {"ok": False, "status": "INVALID_URL",
                "error": "the URL is not one Apprise understands"}
    box = apprise.Apprise()
    box.add(plugin)
    result = box.notify(body=str(request.get("body", "")), title=str(request.get("title", "")),
                        body_format=str(request.get("format", "markdown")))
    status = getattr(getattr(result, "status", None), "name", "SUCCESS" if result else "FAILURE")
    if result:
        return {"ok": True, "status": status, "error": ""}
    reason = collect.messages[-1] if collect.messages else f"delivery {status.lower()}"
    return {"ok": False, "status": status, "error": _scrub(reason, secrets)}


def _check(request: dict[str, Any]) -> dict[str, Any]:
    results = []
    for url in request.get("urls", []):
        plugin = _plugin(str(url))
        service = str(url).split("://", 1)[0] if "://" in str(url) else ""
        results.append({"ok": plugin is not None, "service": service,
                        "error": "" if plugin is not None
                        else "the URL is not one Apprise understands"})
    return {"results": results}


def main() -> int:
    """Read one request, answer it, exit 0 (a failed delivery is an answer, not a crash)."""
    collect = _setup()
    request = json.load(sys.stdin)
    secrets = [str(s) for s in request.get("secrets", [])]
    try:
        answer = _check(request) if request.get("op") == "check" else _notify(request, collect)
    except Exception as exc:  # noqa: BLE001 - reported to the daemon as a failed delivery
        answer = {"ok": False, "status": "ERROR",
                  "error": _scrub(f"{type(exc).__name__}: {exc}", secrets)}
    # ru_maxrss is in KiB on Linux: the bench and the tests report the worker's peak.
    answer["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
