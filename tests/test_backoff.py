"""The one back-off function: capped, exponential, jittered, never zero."""

from __future__ import annotations

import random

import pytest

from agent.backoff import backoff


def test_equal_jitter_as_the_bridge_uses_it_is_capped_jittered_and_never_zero() -> None:
    delays = [backoff(n, base=1.0, cap=60.0, jitter=0.5)
              for n in range(1, 30) for _ in range(20)]
    assert min(delays) >= 0.5
    assert max(delays) <= 60.0
    tenth = [backoff(10, base=1.0, cap=60.0, jitter=0.5) for _ in range(50)]
    assert len(set(tenth)) > 1, "no jitter"
    assert all(30.0 <= d <= 60.0 for d in tenth)


def test_router_jitter_takes_off_at_most_a_quarter_and_doubles_each_attempt() -> None:
    rng = random.Random(7)
    for attempt, step in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)):
        delays = [backoff(attempt, base=0.5, cap=8.0, jitter=0.25, rng=rng)
                  for _ in range(200)]
        assert all(0.75 * step <= d <= step for d in delays), (attempt, min(delays))
        assert max(delays) - min(delays) > 0.1 * step  # jittered, across the range


def test_a_seeded_generator_repeats_and_no_jitter_is_exact() -> None:
    first = [backoff(3, base=1.0, cap=10.0, jitter=0.5, rng=random.Random(1)) for _ in range(3)]
    again = [backoff(3, base=1.0, cap=10.0, jitter=0.5, rng=random.Random(1)) for _ in range(3)]
    assert first == again
    assert backoff(3, base=1.0, cap=10.0, jitter=0.0) == 4.0
    assert backoff(0, base=1.0, cap=10.0, jitter=0.0) == 1.0  # attempt 0 is the first step


@pytest.mark.parametrize("jitter", [-0.1, 1.0, 2.0])
def test_jitter_outside_zero_to_one_is_refused(jitter: float) -> None:
    with pytest.raises(ValueError, match="jitter"):
        backoff(1, base=1.0, cap=2.0, jitter=jitter)
