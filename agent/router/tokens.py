"""An upper bound on the prompt tokens the Claude API can bill for one request.

The reservation must never be below the bill, so this is a bound, not an estimate:

- Claude's tokenizers are byte-level: every token stands for at least one byte of UTF-8.
  So the UTF-8 length of the request's text is at least its token count, in any script,
  emoji included (a 4-byte emoji is at most 4 tokens). The bound measures the request as
  JSON, which only adds bytes (quotes, keys, escapes), and so also covers tool schemas,
  tool_use/tool_result turns and the output schema.
- On top of the text, the API adds tokens no byte of the request accounts for: role and
  turn markers, and the hidden system prompts it inserts for tools (documented at about
  350 tokens) and for structured outputs (undocumented). Those get fixed allowances, a few
  times the documented size.

Output is bounded separately by ``max_tokens`` (thinking included). A count_tokens call
would be closer but costs a round trip per attempt, and is itself only an estimate.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from agent.router.backend import CallSpec

REQUEST_OVERHEAD_TOKENS = 64
PER_MESSAGE_TOKENS = 8
TOOLS_OVERHEAD_TOKENS = 1024
OUTPUT_SCHEMA_OVERHEAD_TOKENS = 1024


def prompt_token_bound(spec: CallSpec, conversation: Sequence[object]) -> int:
    """At least as many tokens as the API can bill as prompt for ``spec`` + ``conversation``
    (fresh input, cache writes and cache reads together); see the module docstring."""
    body: dict[str, object] = {"messages": list(conversation)}
    if spec.system:
        body["system"] = [{"type": "text", "text": spec.system}]
    if spec.tools:
        body["tools"] = [{"name": t.name, "description": t.description,
                          "input_schema": dict(t.input_schema)} for t in spec.tools]
    if spec.output_schema is not None:
        body["output_config"] = {"format": {"type": "json_schema",
                                            "schema": dict(spec.output_schema)}}
    return request_token_bound(body)


def request_token_bound(params: Mapping[str, Any]) -> int:
    """The same bound for Messages API parameters as sent (``system``, ``tools``,
    ``messages``, ``output_config``; e.g. one request of a message batch)."""
    body = {key: params[key] for key in ("system", "tools", "messages", "output_config")
            if key in params}
    # ensure_ascii=False: each character counted by its real UTF-8 length (escapes would
    # only inflate the bound further); default=str for SDK objects in an assistant turn.
    size = len(json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"))
    messages = params.get("messages") or ()
    tokens = size + REQUEST_OVERHEAD_TOKENS + PER_MESSAGE_TOKENS * len(messages)
    if params.get("tools"):
        tokens += TOOLS_OVERHEAD_TOKENS
    output_config = params.get("output_config")
    if isinstance(output_config, Mapping) and output_config.get("format") is not None:
        tokens += OUTPUT_SCHEMA_OVERHEAD_TOKENS
    return math.ceil(tokens)
