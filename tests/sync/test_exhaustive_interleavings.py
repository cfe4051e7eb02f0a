"""All 256 interleavings of two changes converge on the newest (see tests/sync/exhaustive.py)."""

from __future__ import annotations

import pytest

from tests.sync.exhaustive import failures


@pytest.mark.slow
def test_every_two_change_interleaving_converges():
    count, failed = failures(2)
    assert count == 256
    assert failed == []
