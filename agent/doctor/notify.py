"""The `[[notify]]` entries: every secret resolves and every URL parses for Apprise.

The URLs are parsed by the same one-shot worker process that delivers (`apprise_worker.py`),
so the doctor never imports Apprise itself and its output never holds a filled-in URL.
"""

from __future__ import annotations

from agent.config.notify import NotifySection
from agent.doctor.result import CheckResult, DoctorContext
from agent.errors import DeliveryFailed
from agent.notifiers.apprise_run import FilledUrl, fill_url, run_worker, scrubbed, service_of

NAME = "notifiers"
# Loading Apprise's ~217 plugin modules takes 0.3-0.6 s; a slow Pi may need several times that.
PARSE_TIMEOUT = 20.0
FIX_REFERENCE = ("set the variable or create the file the entry's `secrets` names "
              "(readable by hearth's user only), then `hearth notify test NAME`")
FIX_URL = "correct the URL (see docs/notifications.md and Apprise's wiki for its format)"


async def check_notifiers(ctx: DoctorContext) -> CheckResult:
    """SKIP without entries; FAIL naming the first entry whose secret or URL is wrong.

    Two entries with one name never get here: the config itself refuses them."""
    entries = [e for e in ctx.config.notify if e.enabled]
    if not entries:
        return CheckResult.skip(NAME, "no [[notify]] entry configured")
    filled: list[FilledUrl] = []
    for entry in entries:
        try:
            filled.append(fill_url(entry, ctx.environ))
        except DeliveryFailed as exc:
            return CheckResult.fail(NAME, f"{entry.name}: {exc}", FIX_REFERENCE)
    problem = await _parse_problem(entries, filled)
    if problem is not None:
        return problem
    shown = ", ".join(f"{e.name} ({service_of(e)})" for e in entries)
    return CheckResult.ok(NAME, shown)


async def _parse_problem(entries: list[NotifySection], filled: list[FilledUrl]) -> CheckResult | None:
    """A FAIL for the first URL Apprise cannot parse (or a worker that cannot run), else None."""
    secrets = tuple(s for f in filled for s in f.secrets)
    try:
        answer = await run_worker({"op": "check", "urls": [f.url for f in filled]},
                                  timeout=PARSE_TIMEOUT, secrets=secrets)
    except DeliveryFailed as exc:
        return CheckResult.fail(NAME, f"cannot run the Apprise worker: {exc}",
                                "reinstall hearth (the apprise package is a dependency)")
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(entries):
        error = scrubbed(str(answer.get("error") or "no answer"), secrets)
        return CheckResult.fail(NAME, f"the Apprise worker failed: {error}",
                                "reinstall hearth (the apprise package is a dependency)")
    for entry, result in zip(entries, results, strict=True):
        if not (isinstance(result, dict) and result.get("ok")):
            return CheckResult.fail(
                NAME, f"{entry.name}: the {service_of(entry)}:// URL does not parse for Apprise",
                FIX_URL)
    return None
