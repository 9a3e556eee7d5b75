"""API-key-only policy for Claude.

Anthropic's terms reserve Claude.ai subscription logins (OAuth tokens) for Claude Code and
Anthropic's own apps; third-party software must use a Console API key. Hearth therefore
accepts `sk-ant-api...` keys only and refuses, before any call, anything that looks like a
subscription token, an admin key, or the environment variables that carry them. It never
reads Claude.ai or Claude Code credential files.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from agent.config.root import HearthConfig
from agent.errors import CredentialRefused, SecretFileExposed

TERMS_URL = "https://code.claude.com/docs/en/legal-and-compliance"
KEYS_URL = "https://platform.claude.com/settings/keys"
log = logging.getLogger(__name__)

# Variables the Anthropic SDK would read on its own: an OAuth bearer token, or headers that
# could carry one. Hearth passes its key explicitly, but refuses to run beside them.
_FORBIDDEN_ENV = ("ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS")
# systemd's LoadCredential=anthropic_api_key:... puts the key here (readable by us only).
SYSTEMD_CREDENTIAL = "anthropic_api_key"
_REFUSED_PREFIXES = {
    "sk-ant-oat": "a Claude.ai subscription OAuth token (from `claude setup-token` or "
                  "CLAUDE_CODE_OAUTH_TOKEN)",
    "sk-ant-ort": "a Claude.ai OAuth refresh token (from Claude Code's credential file)",
    "sk-ant-admin": "an Anthropic admin key (for the usage API, too privileged for inference)",
}
_OAUTH_JSON_MARKERS = ("claudeaioauth", "accesstoken", "refreshtoken")
_FIX = (
    "Anthropic's terms reserve subscription logins for Claude Code and Anthropic's own apps "
    f"({TERMS_URL}). Create a pay-per-use Console API key (sk-ant-api...) at {KEYS_URL}, "
    "store it in the key file or variable your config names, unset any OAuth variables, "
    "and restart hearth."
)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A checked Console API key. ``str()`` never shows it."""

    value: str = ""

    def __str__(self) -> str:
        return f"{self.value[:10]}…" if self.value else "(none)"

    __repr__ = __str__


def _shown(value: str) -> str:
    # At most 10 characters of any credential ever appear in output.
    return value[:10] + "…"


def check_key(value: str, *, allow_unrecognised_prefix: bool = False) -> ApiKey:
    """Accept `value` as an API key, or raise CredentialRefused naming the rule broken."""
    lowered = value.strip().lower()
    for prefix, what in _REFUSED_PREFIXES.items():
        if lowered.startswith(prefix):
            raise CredentialRefused(
                f"refused the Anthropic credential {_shown(prefix)}: it looks like {what}. {_FIX}"
            )
    if lowered.startswith("{") and any(m in lowered for m in _OAUTH_JSON_MARKERS):
        raise CredentialRefused(
            "refused the Anthropic credential: it is OAuth login JSON (Claude Code's credential "
            f"file), not an API key. {_FIX}"
        )
    if not lowered.startswith("sk-ant-api") and not allow_unrecognised_prefix:
        raise CredentialRefused(
            "refused the Anthropic credential: it does not start with sk-ant-api, the prefix "
            "of Console API keys. If Anthropic has introduced a new key format, set "
            "anthropic.allow_unrecognised_key_prefix = true."
        )
    return ApiKey(value.strip())


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Refuse to run while an OAuth-carrying variable is set, whatever the config says."""
    env = os.environ if environ is None else environ
    for name in _FORBIDDEN_ENV:
        if env.get(name):
            raise CredentialRefused(
                f"refused: {name} is set. It can carry a Claude.ai subscription login, which "
                f"hearth must not use. Unset it. {_FIX}"
            )


def check_credentials(config: HearthConfig, environ: Mapping[str, str] | None = None) -> ApiKey | None:
    """Resolve and check the Anthropic key. None when no key is configured (cloud tiers off).

    Raises CredentialRefused for anything hearth must not use.
    """
    env = dict(os.environ if environ is None else environ)
    check_environment(env)
    raw = _systemd_credential(env)
    if raw is None:
        raw = config.anthropic.api_key.resolve(env)
    if raw is None:
        return None
    key = check_key(raw, allow_unrecognised_prefix=config.anthropic.allow_unrecognised_key_prefix)
    log.debug("Anthropic API key %s accepted", key)
    return key


def _systemd_credential(env: Mapping[str, str]) -> str | None:
    """The key systemd passed with LoadCredential=, if any (it wins over the config)."""
    directory = env.get("CREDENTIALS_DIRECTORY")
    if not directory:
        return None
    path = Path(directory) / SYSTEMD_CREDENTIAL
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretFileExposed(path)
    return path.read_text(encoding="utf-8").strip() or None
