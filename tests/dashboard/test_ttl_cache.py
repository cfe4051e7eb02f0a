"""The pages' small expiring cache."""

from __future__ import annotations

from webhooks.ttl_cache import MAX_ENTRIES, TtlCache


def test_values_live_for_ttl_and_the_cache_stays_bounded() -> None:
    now = [0.0]
    cache = TtlCache(10, clock=lambda: now[0])
    made: list[str] = []

    def make(value: str):  # type: ignore[no-untyped-def]
        return lambda: made.append(value) or value

    assert cache.get("a", make("a1")) == "a1"
    now[0] = 9.9
    assert cache.get("a", make("a2")) == "a1"
    now[0] = 10.0
    assert cache.get("a", make("a3")) == "a3"
    assert made == ["a1", "a3"]
    for n in range(MAX_ENTRIES * 2):
        cache.get(n, make(str(n)))
    assert len(cache._entries) <= MAX_ENTRIES
