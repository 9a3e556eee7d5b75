"""`[skills.news]`: the news skill's own settings (kept apart from the desk, which loads the
feeds code)."""

from __future__ import annotations

from pydantic import Field

from agent.config.base import Section


class NewsConfig(Section):
    """`[skills.news]`: how the news skill summarises."""

    # Let the summaries fall back to the `fast` tier (Claude) when Ollama is down.
    allow_cloud: bool = True
    # Items per model call: small local models keep a short list straight.
    batch_size: int = Field(6, ge=1, le=50)
