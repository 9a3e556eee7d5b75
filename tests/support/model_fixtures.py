"""Fixtures for the fake model servers (filled in by the router work)."""
