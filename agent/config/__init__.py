"""Configuration: TOML in, one frozen validated `HearthConfig` out."""

from agent.config.base import SecretRef, Section
from agent.config.load import find_config, load_config, parse_config
from agent.config.root import HearthConfig

__all__ = ["HearthConfig", "SecretRef", "Section", "find_config", "load_config", "parse_config"]
