"""Bounded polling (harness.library.waiting): quick at first, then no more than ten probes a second."""

from __future__ import annotations

import pytest

from harness.library.waiting import wait_until
from harness.shared.errors import WaitTimeout


def test_a_long_wait_probes_at_most_ten_times_a_second_and_still_says_what_it_saw():
    probes: list[int] = []
    with pytest.raises(WaitTimeout) as timeout:
        wait_until(lambda: probes.append(1), timeout=1.0, what="nothing", evidence=lambda: f"{len(probes)} probes")
    # a fixed 20 ms pause probed ~50 times: each probe is an AWS call costing ~10 ms of CPU on a 2-core machine
    assert 5 <= len(probes) <= 16, len(probes)
    assert "timed out after 1s waiting for nothing" in str(timeout.value) and f"{len(probes)} probes" in str(timeout.value)


def test_the_first_probes_follow_each_other_closely():
    answers = iter([None, None, None, "ready"])
    assert wait_until(lambda: next(answers), timeout=0.1, what="the fourth probe", evidence=lambda: "") == "ready"  # 20+30+45 ms; the last pause ends at the deadline, with one more probe

