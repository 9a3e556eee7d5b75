"""What hearth tells the household's phones, as `Notice`s: a pending confirmation, a budget
warning. Built here, where devices and notifiers meet (neither imports the other)."""

from __future__ import annotations

from agent.devices.pending import PendingAction
from agent.notifiers.events import Notice


def pending_notice(action: PendingAction) -> Notice:
    """"The front door lock waits for approval": by the action's code only.

    The full id approves the action, and a notification service is a third party (an ntfy
    topic may even be public), so it never leaves hearth this way: approve with
    `hearth confirm` on the hearth host or with the buttons in an allowlisted phone chat.
    """
    minutes = (action.expires_at - action.created_at) / 60
    what = action.device.describe(action.desired.action, action.desired.brightness,
                                  action.desired.position)
    body = (f"Waiting for your approval: {what} once approved (code {action.code}, "
            f"expires in {max(1, round(minutes))} min).\n\n"
            "Approve on the hearth host with `hearth pending` and `hearth confirm`, or with "
            "the buttons in your hearth chat.")
    return Notice(event="pending", title=f"Approve: {action.device.name}?", body=body)


def budget_notice(message: str) -> Notice:
    """A spending cap crossed its warning level (the ledger's own sentence)."""
    return Notice(event="budget", title="hearth budget warning", body=message)
