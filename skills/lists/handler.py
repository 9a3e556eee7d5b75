"""The lists skill's handler: add, tick off and read items on the household's lists.

The shopping list comes from Home Assistant's HassShoppingList* intents; any other list
("add batteries to the hardware list") from hearth's own sentences. A dry run says what
would happen and stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agent.plugins.contract import ActionEvent, Event, Reply, SkillContext, TextEvent
from agent.plugins.services import Clock
from skills.lists.store import SHOPPING, Entry, ListStore, item_key, list_name

# HassListAddItem/CompleteItem match only a `{name}` whose value carries domain `todo`;
# hearth's own sentences below cover named lists for households without such names.
HA_INTENTS = ("HassShoppingListAddItem", "HassShoppingListCompleteItem", "HassListAddItem",
              "HassListCompleteItem")
_ON = "[my|the|our] {list_name} list"
SENTENCES: dict[str, tuple[str, ...]] = {
    "HearthListAdd": (f"add {{list_item}} to {_ON}", f"put {{list_item}} (on|in) {_ON}"),
    "HearthListComplete": (
        f"(check|tick|cross) off {{list_item}} (from|on|in) {_ON}",
        f"(check|tick|cross) {{list_item}} off {_ON}",
        f"(remove|delete|complete) {{list_item}} (from|on|in) {_ON}"),
    "HearthListRead": (
        f"(what's|what is) on {_ON}", "(what's|what is) on [my|the|our] list",
        f"(read|show) [me] {_ON}", "(read|show) [me] [my|the|our] list"),
}
MAX_ITEM = 200
MAX_LIST = 80
_ADD = ("HassShoppingListAddItem", "HassListAddItem", "HearthListAdd")
_COMPLETE = ("HassShoppingListCompleteItem", "HassListCompleteItem", "HearthListComplete")


def _value(slot: Any) -> Any:
    return slot.get("value") if isinstance(slot, Mapping) else slot


def _said(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


class ListSkill:
    """Handles one runtime's list requests; the items live in the database."""

    def __init__(self, store: ListStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def handle(self, ctx: SkillContext, event: Event) -> Reply | None:
        """Run one request or action; bad input gets a short answer naming what is wrong."""
        try:
            if isinstance(event, TextEvent) and event.intent is not None:
                values = {k: _value(v) for k, v in event.slots.items()}
                return await self._intent(event.intent, values, event.dry_run)
            if isinstance(event, ActionEvent):
                return await self._action(event.action, event.args, event.dry_run)
        except ValueError as exc:
            return Reply(str(exc), {"op": "list.refused", "error": str(exc)})
        return Reply("Say, for example, \"add milk to the shopping list\".",
                     {"op": "list.help"})

    async def _intent(self, intent: str, values: Mapping[str, Any], dry_run: bool) -> Reply:
        spoken = str(values.get("list_name") or values.get("name") or "")
        # A todo entity id ("todo.shopping_list") names its list too.
        spoken = spoken.removeprefix("todo.").replace("_", " ")
        name = SHOPPING if intent.startswith("HassShoppingList") else list_name(spoken)
        if intent == "HearthListRead":
            return await self.show(name, done=False)
        item = str(values.get("item") or values.get("list_item") or "")
        if intent in _ADD:
            return await self.add(name, item, dry_run)
        if intent in _COMPLETE:
            return await self.complete(name, item, dry_run)
        raise ValueError(f"The lists skill does not handle {intent}.")

    async def _action(self, action: str, args: Mapping[str, Any], dry_run: bool) -> Reply:
        raw = args.get("list")
        if raw is not None and not isinstance(raw, str):
            raise ValueError("list: expected a list name (text)")
        name = list_name(raw) if raw else None
        if action == "show":
            return await self.show(name, done=bool(args.get("all", False)))
        item = args.get("item")
        if not isinstance(item, str):
            raise ValueError("item: expected the item's text")
        if action == "add":
            return await self.add(name or SHOPPING, item, dry_run)
        if action == "complete":
            return await self.complete(name or SHOPPING, item, dry_run)
        raise ValueError(f"lists has no action {action!r}; use show, add or complete")

    @staticmethod
    def _checked(name: str, item: str) -> str:
        item = " ".join(item.split()).strip(" .,!?;:")
        if not item_key(item):
            raise ValueError("Which item? Say, for example, \"add milk to the shopping list\".")
        if len(item) > MAX_ITEM:
            raise ValueError(f"item: at most {MAX_ITEM} characters")
        if len(name) > MAX_LIST:
            raise ValueError(f"list name: at most {MAX_LIST} characters")
        return item

    async def add(self, name: str, item: str, dry_run: bool = False) -> Reply:
        """Put `item` on list `name` (once)."""
        item = self._checked(name, item)
        data: dict[str, Any] = {"op": "list.add", "list": name, "item": item}
        if dry_run:
            return Reply(f"Would add {item} to your {name}.", data)
        entry, added = await self.store.add(name, item, self.clock.now())
        if not added:
            return Reply(f"{entry.item} is already on your {name}.".capitalize(),
                         {**data, "id": entry.id, "added": False})
        return Reply(f"Added {item} to your {name}.", {**data, "id": entry.id, "added": True})

    async def complete(self, name: str, item: str, dry_run: bool = False) -> Reply:
        """Tick `item` off list `name`."""
        item = self._checked(name, item)
        data: dict[str, Any] = {"op": "list.complete", "list": name, "item": item}
        if dry_run:
            return Reply(f"Would check {item} off your {name}.", data)
        done = await self.store.complete(name, item, self.clock.now())
        if not done:
            return Reply(f"{item} isn't on your {name}.".capitalize(), {**data, "found": 0})
        return Reply(f"Checked {done[0].item} off your {name}.",
                     {**data, "found": len(done), "ids": [e.id for e in done]})

    async def show(self, name: str | None, *, done: bool) -> Reply:
        """The items on list `name` (every list when None); ticked-off ones with `done`."""
        entries = await self.store.items(name, done=done)
        lists: dict[str, list[Entry]] = {}
        for entry in entries:
            lists.setdefault(entry.list_name, []).append(entry)
        data = {"op": "list.show", "list": name,
                "lists": [{"name": n, "items": [e.to_json() for e in es]}
                          for n, es in lists.items()]}
        if not entries:
            return Reply(f"Your {name} is empty." if name else "All your lists are empty.", data)
        parts = []
        for list_, items in lists.items():
            open_items = [e.item for e in items if not e.done]
            if open_items:
                parts.append(f"Your {list_} has {_said(open_items)}.")
            else:
                parts.append(f"Your {list_} has nothing left to get.")
        return Reply(" ".join(parts), data)
