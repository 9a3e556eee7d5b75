"""Every check `hearth run` makes of a configuration before it opens a file or a socket.

`hearth run` (at start and on SIGHUP), `hearth config check` and `hearth doctor` all call
`check_config`, so a config one of them passes is a config the daemon accepts: the
credential, the broker settings, the ledger URL, prices, devices, notifiers and every
skill with its `[skills.<name>]` section, checked by the same code the daemon builds with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from agent.config import HearthConfig
from agent.credentials import ApiKey, check_credentials
from agent.errors import ConfigError
from agent.words import plural


def check_config(config: HearthConfig, environ: Mapping[str, str] | None = None) -> ApiKey | None:
    """Check `config` exactly as `hearth run` does; returns the checked Anthropic key.

    Raises CredentialRefused for a credential hearth must not use, ConfigError listing every
    problem of the other checks at once, StartupError for a broken installed skill.
    """
    api_key = check_credentials(config, environ)
    check_settings(config, environ)
    return api_key


def check_settings(config: HearthConfig, environ: Mapping[str, str] | None = None) -> None:
    """`check_config` without the Anthropic credential (the doctor reports that one on its
    own line, with its own fix). Every installed skill is checked, key or no key."""
    from agent.db import database_backend
    from agent.devices.registry import DeviceRegistry
    from agent.intents.custom import check_sentences
    from agent.ledger.prices import load_price_table
    from agent.mqtt.connection import new_client, resolve_password
    from agent.notifiers import NotifierContext, build_notifiers
    from agent.paths import state_dir
    from agent.plugins import discover

    problems: list[str] = []
    checks: list[Callable[[], object]] = [
        # Password file and TLS files: the client the bridge builds, never connected.
        lambda: new_client(config.mqtt, "hearth-config-check", resolve_password(config.mqtt),
                           status_topic=None),
        lambda: config.ledger.url is None or database_backend(config.ledger.url),
        lambda: load_price_table(config.prices.rows),
        lambda: DeviceRegistry(config),
        lambda: build_notifiers(config.briefing.notifiers,
                                NotifierContext(config, state_dir(config, environ), None)),
        lambda: check_sentences(config, discover(config)),
    ]
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            problems += exc.problems or [str(exc)]
    if problems:
        raise ConfigError(plural(len(problems), "problem"), problems)
