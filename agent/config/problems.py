"""Config problems in the user's words instead of pydantic's.

pydantic says "Input should be a valid integer, unable to parse string as an integer"; a person
editing a TOML file wants "must be a whole number, got 'abc'", and for a typo the key they meant.
A value is echoed only when it helps (a wrong type, choice or bound), shortened, and never
under a key that may hold a secret.
"""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from agent.words import did_you_mean

# Keys whose values are never repeated back, even when wrong (a pasted key is still a key).
_SECRET = re.compile(r"password|api_key|token|secret", re.IGNORECASE)
_ECHO_LIMIT = 40

_KIND = {
    "int_parsing": "a whole number", "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number", "float_type": "a number",
    "decimal_parsing": "a number", "decimal_type": "a number",
    "bool_parsing": "true or false", "bool_type": "true or false",
    "string_type": "text",
    "model_type": "a table", "model_attributes_type": "a table", "dict_type": "a table",
    "list_type": "a list", "tuple_type": "a list",
    "url_parsing": "a URL", "url_type": "a URL",
    "path_type": "a path",
}

_BOUND = {
    "greater_than": "greater than {gt}", "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}", "less_than_equal": "at most {le}",
    "too_short": "at least {min_length} long", "too_long": "at most {max_length} long",
    "string_too_short": "at least {min_length} characters long",
    "string_too_long": "at most {max_length} characters long",
}


def dotted(loc: tuple[int | str, ...]) -> str:
    """``devices[0].kind`` from pydantic's location tuple, without its internal labels
    (empty for a check of the whole file)."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item.startswith(("function-", "tagged-union")):
            continue  # pydantic's internal validator labels mean nothing to a user
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The config model inside `annotation` (M, M | None, dict[str, M], tuple[M, ...])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin is None:
        return None
    args = get_args(annotation)
    if origin is dict:
        args = args[1:]
    elif origin not in (tuple, list, Union, types.UnionType):
        return None
    for arg in args:
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _section_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model that holds the key at `loc` (its last part), or None when it is free-form."""
    model: type[BaseModel] | None = root
    inside_mapping = False
    for part in loc[:-1]:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        if inside_mapping:  # a dict key such as a tier or skill name: the model stays
            inside_mapping = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _model_in(field.annotation)
        inside_mapping = get_origin(field.annotation) is dict
    return None if inside_mapping else model


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _ECHO_LIMIT:
        text = text[:_ECHO_LIMIT - 1] + "…"
    return f"'{text}'" if isinstance(value, str) else text


def _unknown_key(loc: tuple[int | str, ...], root: type[BaseModel] | None) -> str:
    section = _section_at(root, loc) if root is not None else None
    return "unknown key" + (did_you_mean(str(loc[-1]), section.model_fields) if section else "")


def _reason(err: ErrorDetails, root: type[BaseModel] | None) -> str:
    kind = err["type"]
    loc = tuple(err["loc"])
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    if kind == "extra_forbidden":
        return _unknown_key(loc, root)
    if kind == "missing":
        return "required key is missing"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    secret = any(isinstance(p, str) and _SECRET.search(p) for p in loc)
    return _wrong_value(err, ctx, secret)


def _wrong_value(err: ErrorDetails, ctx: dict[str, Any], secret: bool) -> str:
    kind = err["type"]
    got = "" if secret else f", got {_shown(err.get('input'))}"
    if kind == "model_type" and ctx.get("class_name") == "SecretRef":
        return ('must say where the secret is: { env = "VARIABLE" } or { file = "/path" } '
                "(the secret itself never goes in the config file)")
    if kind in _KIND:
        return f"must be {_KIND[kind]}{got}"
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = "" if secret else did_you_mean(str(err.get("input")), options)
        return f"must be one of {ctx.get('expected', '?')}{got}{hint}"
    if kind in _BOUND:
        return f"must be {_BOUND[kind].format(**ctx)}{got}"
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg.replace("Input should", "should")


def describe_problems(errors: list[ErrorDetails], root: type[BaseModel] | None) -> list[str]:
    """One ``dotted.path: reason`` line per problem, duplicates (from unions) dropped.

    `root` is the validated model, to suggest the key meant by an unknown one (None: no hints).
    """
    lines: list[str] = []
    for err in errors:
        where = dotted(tuple(err["loc"]))
        # A check across sections (no single key) names its keys in its own words.
        line = f"{where}: {_reason(err, root)}" if where else _reason(err, root)
        if line not in lines:
            lines.append(line)
    return lines
