"""The optional `digest` skill: a weekly deep-tier analysis of the news, at batch prices.

Off by default (`[briefing.digest] enabled = false`). When enabled, the core schedules the
job `digest.weekly` at `[briefing.digest] cron` (see `agent.scheduler.configured_jobs`);
choose the cron `deadline_hours` before you want to read it.

Wiring (the daemon, only when enabled and an API key is configured)::

    digest = WeeklyDigest(config, db, ledger, BatchClient(config.anthropic, api_key),
                          router=router.bind("digest", tier="deep", allow_cloud=True),
                          notifiers=[MqttNotifier(publish, prefix, kind="digest"),
                                     FileNotifier(state_dir, kind="digest")])
    make_digest_skill(digest)   # -> Skill, passed to discovery

Deliberately not an entry point: the daemon adds it (`agent/daemon/core.py`) only when
`[briefing.digest] enabled = true` and an API key exists, so one switch turns it on.
"""

from __future__ import annotations

from functools import partial

from agent.plugins.contract import (
    ActionEvent,
    Event,
    Reply,
    ScheduleEvent,
    Skill,
    SkillContext,
    SkillDeclaration,
)
from skills.digest.batches import BatchClient
from skills.digest.digest import DigestResult, WeeklyDigest

DECLARATION = SkillDeclaration(
    name="digest",
    description="A weekly analysis of the news on the deep tier, sent as a batch.",
    tier="deep",
    allow_cloud=True,
    tools=(),  # it reads untrusted feed text: no hands
)


def make_digest_skill(digest: WeeklyDigest) -> Skill:
    """A `digest` skill serving `digest` directly."""
    return Skill(DECLARATION, partial(handle, digest))


async def handle(digest: WeeklyDigest, ctx: SkillContext, event: Event) -> Reply | None:
    """Run the digest on its schedule or on demand (`ActionEvent("now")`)."""
    if isinstance(event, ScheduleEvent):
        result = await digest.run(planned=event.planned)
    elif isinstance(event, ActionEvent) and event.action == "now":
        result = await digest.run()
    else:
        ctx.log.debug("digest: ignoring %s", type(event).__name__)
        return None
    return Reply(result.text or f"No digest this week ({result.status}).",
                 {"status": result.status, "items": result.items})


__all__ = ["DECLARATION", "BatchClient", "DigestResult", "WeeklyDigest", "handle",
           "make_digest_skill"]
