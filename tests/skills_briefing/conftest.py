"""Briefing tests: the loopback feed server is shared from tests/support/feeds."""

from tests.support.feeds import feed_server

__all__ = ["feed_server"]
