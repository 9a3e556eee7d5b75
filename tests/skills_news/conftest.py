"""News skill tests use the loopback feed server."""

from tests.support.feeds import feed_server

__all__ = ["feed_server"]
