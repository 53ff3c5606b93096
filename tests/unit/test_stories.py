"""Story clustering: wire copies join their original's story, others don't, the index stays bounded."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswire import stories
from newswire.events import Story
from newswire.stories import (
    MinHashParams,
    StoryAssignment,
    StoryIndex,
    StoryStateError,
    estimate_memory_bytes,
    shingle_hashes,
    tokens,
)

ORIGINAL = "\n\n".join(
    [
        (
            "The city council voted on Tuesday to approve a new budget for the harbour "
            "district after months of debate."
        ),
        (
            "The plan sets aside 40 million euros for flood defences, new cycle lanes and the"
            " renovation of the old market hall, which has been closed since a fire in 2019."
        ),
        (
            'Mayor Anna Berg said the vote was a turning point for the district. "People have'
            ' waited too long for this," she told reporters outside the town hall.'
        ),
        (
            "Opposition members criticised the cost and said the council had not consulted "
            "local businesses. A final vote on the details is expected in the spring."
        ),
        (
            "Construction on the flood defences is due to begin next year and should take "
            "about three years to complete."
        ),
    ]
)

WIRE_COPY = "\n\n".join(
    [
        (
            "HAMBURG (Reuters) - The plan sets aside 40 million euros for flood defences, new"
            " cycle lanes and the renovation of the old market hall, which has been closed "
            "since a fire in 2019."
        ),
        (
            'Mayor Anna Berg said the vote was a turning piont for the district. "People have'
            ' waited too long for this," she told reporters outside the town hall.'
        ),
        (
            "Opposition members criticised the cost and said the council had not consulted "
            "local businesses. A final vote on the details is expected in the spring."
        ),
        (
            "Construction on the flood defences is due to begin next year and should take "
            "about three years to complete."
        ),
        ("This story was provided by Reuters."),
    ]
)

UNRELATED = "\n\n".join(
    [
        (
            "Shares in the carmaker fell sharply on Wednesday after the company cut its "
            "profit forecast for the year, citing weak demand in China and rising battery "
            "costs."
        ),
        (
            "The chief executive said the group would reduce spending on new models and focus"
            " on its most profitable vehicles. Analysts said the warning had been expected."
        ),
    ]
)

JAPANESE = (
    "気象庁は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。"
    "震源の深さは約30キロ、地震の規模は6.9と推定される。"
    "この地震で、気象庁は高知県と宮崎県に1メートルの津波注意報を出した。"
)


def _random_body(rng: random.Random, words: int = 120) -> str:
    return " ".join(f"w{rng.randrange(100_000)}" for _ in range(words))


def test_public_surface_is_what_all_says() -> None:
    public = {n for n in dir(stories) if not n.startswith("_") and n != "annotations"}
    modules = {n for n in public if type(getattr(stories, n)).__name__ == "module"}
    assert public - modules == set(stories.__all__)


def test_wire_copy_with_edits_joins_the_original_story() -> None:
    index = StoryIndex()
    first = index.assign("orig", ORIGINAL, "Council approves harbour budget", seen_at=100.0)
    copy = index.assign("copy", WIRE_COPY, "Harbour district gets 40 million euros", seen_at=160.0)
    assert first == StoryAssignment("orig", "orig", 100.0, 1, None)
    assert copy.story_id == "orig"
    assert copy.first_article_id == "orig"
    assert copy.first_seen == 100.0
    assert copy.size == 2
    assert copy.similarity is not None
    assert copy.similarity >= index.threshold


def test_unrelated_article_gets_its_own_story() -> None:
    index = StoryIndex()
    index.assign("orig", ORIGINAL, None, seen_at=1.0)
    other = index.assign("other", UNRELATED, None, seen_at=2.0)
    assert other == StoryAssignment("other", "other", 2.0, 1, None)


def test_cjk_text_is_tokenised_per_character_and_copies_match() -> None:
    assert tokens("東京 Tokyo")[:2] == ["東", "京"]
    index = StoryIndex()
    index.assign("ja", JAPANESE, None, seen_at=1.0)
    trimmed = JAPANESE.split("。", 1)[1] + "共同通信"
    assert index.assign("ja-copy", trimmed, None, seen_at=2.0).story_id == "ja"


def test_assignments_are_deterministic_across_fresh_indexes() -> None:
    rng = random.Random(3)
    bodies = [_random_body(rng) for _ in range(50)] + [ORIGINAL, WIRE_COPY, UNRELATED]
    runs = []
    for _ in range(2):
        index = StoryIndex(capacity=100)
        runs.append([index.assign(f"a{i}", b, None, seen_at=float(i)) for i, b in enumerate(bodies)])
    assert runs[0] == runs[1]
    assert runs[0][-2].story_id == "a50"

    # Pinned: a change here invalidates every persisted index state.
    assert shingle_hashes("one two three four")[0] == np.uint64(13256621858267215292)


def test_signatures_are_the_same_in_another_process_with_another_hash_seed() -> None:
    code = (
        "import sys; from newswire.stories import StoryIndex; "
        "print(StoryIndex().signature(sys.argv[1]).tolist())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, ORIGINAL], env=env, capture_output=True, text=True, check=True
    ).stdout
    here = StoryIndex().signature(ORIGINAL)
    assert here is not None
    assert out.strip() == str(here.tolist())


def test_redelivered_article_keeps_its_story_and_is_not_counted_twice() -> None:
    index = StoryIndex()
    index.assign("orig", ORIGINAL, None, seen_at=1.0)
    copy = index.assign("copy", WIRE_COPY, None, seen_at=2.0)
    assert index.assign("copy", WIRE_COPY, None, seen_at=3.0) == copy
    assert len(index) == 2


def test_capacity_bound_holds_and_evicted_stories_start_new_clusters() -> None:
    rng = random.Random(1)
    index = StoryIndex(capacity=8)
    index.assign("orig", ORIGINAL, None, seen_at=0.0)
    before = index.memory_bytes()
    for i in range(40):
        index.assign(f"filler{i}", _random_body(rng), None, seen_at=float(i + 1))
        assert len(index) <= 8
    assert len(index) == 8
    assert "orig" not in index
    # Arrays are preallocated: more articles do not grow them (only id strings of equal length are swapped).
    assert index.memory_bytes() <= before + 8 * 200
    again = index.assign("copy", WIRE_COPY, None, seen_at=100.0)
    assert again == StoryAssignment("copy", "copy", 100.0, 1, None)


def test_story_outlives_its_first_article_while_a_member_is_indexed() -> None:
    rng = random.Random(2)
    index = StoryIndex(capacity=3)
    index.assign("orig", ORIGINAL, None, seen_at=0.0)
    index.assign("copy", WIRE_COPY, None, seen_at=1.0)
    index.assign("filler", _random_body(rng), None, seen_at=2.0)
    index.assign("filler2", _random_body(rng), None, seen_at=3.0)  # evicts "orig"
    assert "orig" not in index
    late = index.assign("copy2", WIRE_COPY.replace("Reuters", "AFP"), None, seen_at=4.0)
    assert (late.story_id, late.size) == ("orig", 3)


def test_time_window_evicts_old_articles() -> None:
    index = StoryIndex(window_s=3600.0)
    index.assign("orig", ORIGINAL, None, seen_at=0.0)
    assert index.assign("copy", WIRE_COPY, None, seen_at=3000.0).story_id == "orig"
    late = index.assign("late", WIRE_COPY + " Updated.", None, seen_at=3000.0 + 7200.0)
    assert late.story_id == "late"
    assert len(index) == 1


def test_state_round_trip_restores_stories_and_refuses_foreign_state() -> None:
    rng = random.Random(4)
    index = StoryIndex(capacity=50)
    for i in range(20):
        index.assign(f"f{i}", _random_body(rng), None, seen_at=float(i))
    index.assign("orig", ORIGINAL, None, seen_at=30.0)
    copy = index.assign("copy", WIRE_COPY, None, seen_at=31.0)
    blob = index.export_state()
    assert len(blob) < 22 * (index.params.num_perm * 4 + 60) + 1000

    restored = StoryIndex(capacity=50)
    restored.import_state(blob)
    assert len(restored) == len(index)
    assert restored.export_state() == blob
    assert restored.assign("copy", WIRE_COPY, None, seen_at=40.0) == copy
    again = restored.assign("copy2", WIRE_COPY + " Reporting by AP.", None, seen_at=41.0)
    assert (again.story_id, again.first_seen, again.size) == ("orig", 30.0, 3)
    assert restored.assign("other", UNRELATED, None, seen_at=42.0).story_id == "other"

    smaller = StoryIndex(capacity=5)
    smaller.import_state(blob)
    assert len(smaller) == 5
    assert "copy" in smaller
    assert "f0" not in smaller

    with pytest.raises(StoryStateError, match="index uses"):
        StoryIndex(params=MinHashParams(shingle=4)).import_state(blob)
    for bad in (b"", b"garbage", blob[:-3], blob[:40]):
        with pytest.raises(StoryStateError):
            StoryIndex().import_state(bad)


@pytest.mark.parametrize("body", ["", "   \n\n ", "Breaking.", "Live updates to follow", "–––", "…"])
def test_empty_and_very_short_bodies_get_their_own_story(body: str) -> None:
    index = StoryIndex()
    first = index.assign("a", body, None, seen_at=1.0)
    second = index.assign("b", body, None, seen_at=2.0)
    assert first == StoryAssignment("a", "a", 1.0, 1, None)
    assert second == StoryAssignment("b", "b", 2.0, 1, None)
    assert len(index) == 0


def test_assignment_becomes_the_enriched_event_field() -> None:
    story = StoryAssignment("orig", "orig", 1717243200.0, 2, 0.75).to_event()
    assert story == Story(
        story_id="orig",
        first_article_id="orig",
        first_seen="2024-06-01T12:00:00.000+00:00",
        size=2,
        similarity=0.75,
    )


def test_memory_estimate_matches_a_full_index() -> None:
    rng = random.Random(5)
    index = StoryIndex(capacity=300)
    for i in range(300):
        index.assign(f"{i:032x}", _random_body(rng, 40), None, seen_at=float(i))
    assert len(index) == 300
    assert 0.8 < index.memory_bytes() / estimate_memory_bytes(300) < 1.25


def test_token_hashes_are_the_same_from_a_cold_warm_or_just_emptied_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newswire.stories import _shingles

    texts = [ORIGINAL, "Ein ganz anderer Text über etwas anderes, mit 東京 und 서울 darin.", ORIGINAL.upper()]
    _shingles._KNOWN.clear()
    cold = [shingle_hashes(t) for t in texts]
    warm = [shingle_hashes(t) for t in texts]
    monkeypatch.setattr(_shingles, "_KNOWN_MAX", 5)  # emptied before nearly every text
    tiny = [shingle_hashes(t) for t in reversed(texts)][::-1]
    for a, b, c in zip(cold, warm, tiny, strict=True):
        assert np.array_equal(a, b)
        assert np.array_equal(a, c)
    assert len(_shingles._KNOWN) <= 5 + len(set(_shingles.tokens(texts[0])))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_tokens_are_word_runs_and_single_characters_of_spaceless_scripts(text: str) -> None:
    """The token rule, stated the slow way: a spaceless-script character alone, else a run of
    word characters that are not (persisted signatures depend on it not drifting)."""
    import re

    from newswire.stories import _shingles

    spaceless = f"[{_shingles._CHAR_SCRIPTS}]"
    slow = re.compile(rf"{spaceless}|(?:(?!{spaceless})\w)+")
    assert _shingles.tokens(text) == slow.findall(_shingles.normalise(text))
