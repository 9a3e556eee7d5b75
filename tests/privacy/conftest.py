"""Privacy tests reuse the router harness (a real ledger, the loopback model fakes)."""

from tests.router.conftest import make_harness

__all__ = ["make_harness"]
