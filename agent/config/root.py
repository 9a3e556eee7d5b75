"""The whole configuration file as one frozen object."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from agent.config.approval import ApprovalSection
from agent.config.base import Section
from agent.config.general import HearthSection
from agent.config.home import DeviceSection, DiscoverySection, RuleSection
from agent.config.ledger import BudgetSection, LedgerSection, PricesSection
from agent.config.models import (
    AnthropicSection,
    OllamaSection,
    RouterSection,
    TierSection,
    _default_tiers,
)
from agent.config.mqtt import MqttSection
from agent.config.privacy import AskSection, HistorySection, LearnSection, PrivacySection
from agent.config.schedule import BriefingSection, FeedsSection, SchedulerSection
from agent.words import plural

TIER_NAMES = ("local", "fast", "deep")


class HearthConfig(Section):
    """Validated configuration. Every field has a default, so an empty file is valid."""

    hearth: HearthSection = HearthSection()
    mqtt: MqttSection = MqttSection()
    ollama: OllamaSection = OllamaSection()
    anthropic: AnthropicSection = AnthropicSection()
    router: RouterSection = RouterSection()
    tiers: dict[str, TierSection] = Field(default_factory=_default_tiers)
    ledger: LedgerSection = LedgerSection()
    budget: BudgetSection = BudgetSection()
    prices: PricesSection = PricesSection()
    devices: tuple[DeviceSection, ...] = ()
    rules: tuple[RuleSection, ...] = ()
    discovery: DiscoverySection = DiscoverySection()
    approval: ApprovalSection = ApprovalSection()
    scheduler: SchedulerSection = SchedulerSection()
    feeds: FeedsSection = FeedsSection()
    briefing: BriefingSection = BriefingSection()
    privacy: PrivacySection = PrivacySection()
    ask: AskSection = AskSection()
    history: HistorySection = HistorySection()
    learn: LearnSection = LearnSection()
    # Per-skill sections; each is validated against its skill's own schema at start-up.
    skills: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _merge_default_tiers(cls, data: Any) -> Any:
        # A file that overrides only [tiers.deep] keeps the default local and fast tiers.
        if isinstance(data, dict) and isinstance(data.get("tiers"), dict):
            merged: dict[str, Any] = {k: v.model_dump() for k, v in _default_tiers().items()}
            merged.update(data["tiers"])
            data = {**data, "tiers": merged}
        return data

    @model_validator(mode="after")
    def _tiers_known(self) -> HearthConfig:
        unknown = sorted(set(self.tiers) - set(TIER_NAMES))
        if unknown:
            raise ValueError(f"{plural(len(unknown), 'unknown tier')} ({', '.join(unknown)}); "
                             f"tiers are {', '.join(TIER_NAMES)}")
        for name, tier in self.tiers.items():
            if name in tier.fallback:
                raise ValueError(f"tiers.{name}.fallback lists the tier itself")
        return self
