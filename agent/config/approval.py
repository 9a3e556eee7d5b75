"""The `[approval]` section: through which paths a sensitive action may be approved."""

from __future__ import annotations

from agent.config.base import Section


class ApprovalSection(Section):
    """Who may approve a pending lock, garage door or alarm action.

    The control socket (`hearth confirm`, the local owner) always may. MQTT may only when
    `mqtt` is on, which is safe only on a broker that enforces passwords and ACLs: any client
    that may publish to `<prefix>/confirm` and learns an id could then open the door.
    """

    # Approve over <prefix>/confirm (off: only `hearth confirm` through the control socket).
    mqtt: bool = False
