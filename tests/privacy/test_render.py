"""Rendering context parts: stable ones close `system` in label order, volatile ones go with
the last question, earlier turns go first; nothing else changes."""

from __future__ import annotations

from agent.privacy.render import render
from agent.privacy.scopes import ContextPart
from agent.router import Message, ModelRequest


def test_render_places_parts_deterministically() -> None:
    request = ModelRequest(
        skill="s", system="Be brief.", messages=[Message("user", "and now?")],
        earlier=(Message("user", "hi"), Message("assistant", "hello")),
        context=(ContextPart("zones", "z", frozenset({"devices"}), stable=True),
                 ContextPart("now", "18:04", frozenset()),
                 ContextPart("home", "h", frozenset({"devices"}), stable=True)))
    out = render(request)
    assert out.system == "Be brief.\n\n<home>\nh\n</home>\n\n<zones>\nz\n</zones>"
    assert [m.role for m in out.messages] == ["user", "assistant", "user"]
    assert out.messages[-1].content == "<now>\n18:04\n</now>\n\nand now?"
    assert out.context == () and out.earlier == ()
    assert render(request) == out   # pure: same input, same bytes


def test_render_without_context_is_the_same_request() -> None:
    request = ModelRequest(skill="s", messages=[Message("user", "x")])
    assert render(request) is request
