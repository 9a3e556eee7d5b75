"""hearth: a frugal, private home-assistant agent daemon."""

__version__ = "0.1.0"
