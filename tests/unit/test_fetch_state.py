"""Ingest's per-URL state: bounded, tombstoned on eviction, and a fingerprint index that follows it."""

from __future__ import annotations

from newswire.state import PartitionState, UrlState


def state(url: str, fingerprint: str | None = None, checked: float = 0.0) -> UrlState:
    return UrlState(
        url=url,
        checked=checked,
        article_id="a" * 32 if fingerprint else None,
        version=1,
        fingerprint=fingerprint,
    )


def test_capacity_bounds_memory_and_reports_what_to_tombstone() -> None:
    part = PartitionState(capacity=3)
    evicted = []
    for i in range(10):
        evicted += part.put(state(f"https://a.example/{i}", fingerprint=f"{i:032x}"))
    assert len(part) == 3
    assert evicted == [f"https://a.example/{i}" for i in range(7)]  # oldest first
    assert part.owner_of(f"{0:032x}") is None  # the evicted URL no longer claims its text
    assert part.owner_of(f"{9:032x}") == "https://a.example/9"


def test_touching_a_url_keeps_it_and_a_new_fingerprint_replaces_the_old() -> None:
    part = PartitionState(capacity=2)
    part.put(state("https://a.example/1", fingerprint="1" * 32))
    part.put(state("https://a.example/2", fingerprint="2" * 32))
    part.put(state("https://a.example/1", fingerprint="3" * 32))  # updated: now the newest
    assert part.put(state("https://a.example/4")) == ["https://a.example/2"]
    assert part.owner_of("1" * 32) is None and part.owner_of("3" * 32) == "https://a.example/1"


def test_rebuild_from_records_applies_tombstones() -> None:
    part = PartitionState(capacity=10)
    one = state("https://a.example/1", fingerprint="1" * 32)
    part.load(b"https://a.example/1", one.encode())
    part.load(b"https://a.example/2", state("https://a.example/2").encode())
    part.load(b"https://a.example/2", None)
    assert part.get("https://a.example/1") == one
    assert part.get("https://a.example/2") is None
    assert part.owner_of("1" * 32) == "https://a.example/1"
