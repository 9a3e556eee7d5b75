"""The tools the core offers skills, and the grant check that hands each skill only its own."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

from agent.errors import StartupError
from agent.plugins.contract import SkillDeclaration
from agent.router.types import ToolSpec

log = logging.getLogger(__name__)


class ToolRegistry:
    """Device, briefing and other tools the core registers at start-up.

    A skill's context receives only the tools named in its declaration's ``tools``; a name
    nobody registered fails start-up, so a typo cannot silently leave a skill without a tool
    (or, worse, be satisfied later by an unrelated registration).
    """

    def __init__(self, specs: tuple[ToolSpec, ...] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: ToolSpec) -> None:
        """Offer `spec` to skills that declare its name. Two tools with one name fail start-up."""
        if spec.name in self._specs:
            raise StartupError(f"tool {spec.name!r} is registered twice")
        self._specs[spec.name] = spec
        log.debug("tool %s registered", spec.name)

    def names(self) -> list[str]:
        """Every registered tool name, sorted."""
        return sorted(self._specs)

    def granted(self, declaration: SkillDeclaration) -> Mapping[str, ToolSpec]:
        """The tools `declaration` asked for, read-only; an unknown name raises StartupError."""
        unknown = [name for name in declaration.tools if name not in self._specs]
        if unknown:
            known = ", ".join(self.names()) or "none"
            raise StartupError(
                f"skill {declaration.name!r} declares unknown tool(s) {', '.join(unknown)} "
                f"(registered: {known})"
            )
        return MappingProxyType({name: self._specs[name] for name in declaration.tools})
