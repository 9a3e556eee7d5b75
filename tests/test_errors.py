"""The whole error tree lives in agent.errors: every HearthError subclass, once all of
hearth is imported, is defined there."""

from __future__ import annotations

import importlib
import pkgutil

import agent
from agent import errors
from agent.errors import HearthError


def _all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    todo = [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_hearth_error_is_defined_in_agent_errors() -> None:
    # Alembic's scripts run only inside a migration; they are not importable modules.
    modules = [m.name for m in pkgutil.walk_packages(agent.__path__, "agent.")
               if ".migrations" not in m.name]
    assert len(modules) > 50  # the walk really found hearth
    for name in modules:
        importlib.import_module(name)
    subclasses = _all_subclasses(HearthError)
    assert len(subclasses) >= 25
    outside = sorted(f"{c.__module__}.{c.__qualname__}" for c in subclasses
                     if c.__module__ != "agent.errors")
    assert outside == []


def test_the_docstring_tree_names_every_class() -> None:
    doc = errors.__doc__ or ""
    missing = sorted(c.__name__ for c in _all_subclasses(HearthError)
                     if c.__module__ == "agent.errors" and c.__name__ not in doc)
    assert missing == []


def test_malformed_message_is_also_a_value_error_but_device_errors_are_not() -> None:
    assert issubclass(errors.MalformedMessage, ValueError)
    assert issubclass(errors.ProtocolError, errors.MalformedMessage)
    assert issubclass(errors.BrokerUnavailable, errors.DeviceError)
    assert issubclass(errors.PublishFailed, errors.DeviceError)
    assert not issubclass(errors.DeviceError, ValueError)
    assert errors.DaemonNotRunning("x").exit_code == errors.EX_UNAVAILABLE
