"""Model backends and tiers: `[ollama]`, `[anthropic]`, `[router]`, `[tiers.*]`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, HttpUrl

from agent.config.base import SecretRef, Section
from agent.config.scopes import Scope, ScopePolicy

TierName = Literal["none", "local", "fast", "deep"]
Backend = Literal["ollama", "anthropic"]
Effort = Literal["low", "medium", "high", "max"]
# "off": no cache breakpoint at all, so no write premium (1.25x for 5m, 2x for 1h) is paid
# for a prefix that would expire before the next call reads it.
CacheTtl = Literal["5m", "1h", "off"]


class OllamaSection(Section):
    """The local Ollama server."""

    host: str = "http://localhost:11434"
    # Ollama's client has no timeout by default; a hung local model must not hang hearth.
    timeout: float = Field(120.0, gt=0, le=3600)
    # Seconds, or a duration string; -1 keeps the model loaded (cold loads cost 30-60 s on CPU).
    keep_alive: float | str = -1
    num_ctx: int = Field(8192, ge=512)


class AnthropicSection(Section):
    """The Claude API. Reached with a Console API key only (sk-ant-api...)."""

    base_url: HttpUrl = HttpUrl("https://api.anthropic.com")
    api_key: SecretRef = SecretRef(env="ANTHROPIC_API_KEY")
    timeout: float = Field(60.0, gt=0, le=600)
    # Escape hatch for a future key format that does not start with sk-ant-api.
    allow_unrecognised_key_prefix: bool = False
    # Parallel paid calls at most.
    max_concurrency: int = Field(4, ge=1, le=64)


class TierSection(Section):
    """What one tier means: a backend, a model and its limits."""

    backend: Backend
    model: str = Field(min_length=1)
    max_tokens: int = Field(1024, ge=1, le=128_000)
    effort: Effort | None = None
    thinking: bool = False
    # Tiers tried in order when this one is unavailable or over budget.
    fallback: tuple[TierName, ...] = ()


def _default_tiers() -> dict[str, TierSection]:
    return {
        "local": TierSection(backend="ollama", model="qwen2.5:1.5b", max_tokens=512,
                             fallback=("fast",)),
        "fast": TierSection(backend="anthropic", model="claude-haiku-5-5", max_tokens=1024,
                            effort="low", fallback=("local",)),
        "deep": TierSection(backend="anthropic", model="claude-sonnet-5-5", max_tokens=2048,
                            effort="medium", fallback=("fast", "local")),
    }


class SkillRoute(Section):
    """Per-skill overrides of what the skill declared (``[router.skills.<name>]``)."""

    # Pin the skill to this tier whatever it declared.
    tier: TierName | None = None
    # False keeps the skill on the local tier for privacy; None: as declared. True cannot widen
    # a declaration (only the dispatcher reads it as an opt-in).
    allow_cloud: bool | None = None
    cache_ttl: CacheTtl | None = None
    # A different model for this skill on a given tier, e.g. {deep = "claude-opus-5-5"}.
    models: dict[TierName, str] = Field(default_factory=dict)
    # Tiers this skill may also fall back or escalate to, beyond its declared tier and
    # fallback list (the router keeps a skill's calls within those, so its cost is bounded).
    tiers: tuple[TierName, ...] = ()
    # Narrows the scopes this skill may send to a cloud tier (never widens [privacy] or the
    # declaration); None: no narrowing.
    cloud_scopes: tuple[Scope, ...] | None = None
    # What a cloud request carrying a disallowed scope does; None: as the skill declared.
    on_scope: ScopePolicy | None = None


class RouterSection(Section):
    """Retries, deadlines and caching shared by every tier."""

    max_attempts: int = Field(4, ge=1, le=10)
    # Paid calls sent again after one was sent and got no answer (a timeout, a hang-up): it
    # may have been billed, so each such retry costs a full reservation. Per request, all
    # tiers together.
    max_unknown_retries: int = Field(1, ge=0, le=10)
    backoff_base: float = Field(0.5, gt=0)
    backoff_max: float = Field(8.0, gt=0)
    deadline: float = Field(90.0, gt=0, le=3600)
    max_tool_iterations: int = Field(8, ge=1, le=50)
    cache_ttl: CacheTtl = "5m"
    skills: dict[str, SkillRoute] = Field(default_factory=dict)

