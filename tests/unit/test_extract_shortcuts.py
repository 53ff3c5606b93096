"""Speed shortcuts of the extractor give the answers of the plain computation they replace.

Each shortcut skips work (a per-character pass on ASCII, a split per paragraph, a shingle's
slice, a paragraph's shingles made again); going wrong would change which body a page keeps.
"""

from __future__ import annotations

import unicodedata

import pytest
from selectolax.lexbor import LexborHTMLParser

from newswire.extract import _second_opinion
from newswire.extract._container import choose_container
from newswire.extract._nodes import (
    _BREAKS,
    _SMALL_SUBTREE,
    _broken_text,
    block_text,
    text_of,
    text_size,
    text_size_over,
)
from newswire.extract._shingles import SIZE, shingles
from newswire.extract._text import word_count
from newswire.extract._tidy import THREAD_STAMPS, count_dated, count_posted, holds_stamps
from newswire.extract._title import _NON_ALNUM, norm
from newswire.extract._walk import container_text

_TEXTS = [
    "",
    "Harbour Board Approves New Ferry Timetable",
    "  The ‘Harbour’ Board — approves   new ferry times!  ",
    "Café owners in Zürich say “non” to the ﬁfth ferry",
    "Ångström-sized Ⅻ tests: ½ done",
    "渡し船の新しい時刻表",
    "ALL CAPS, digits 2026 and under_scores",
]


def _plain_norm(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _NON_ALNUM.sub("", "".join(ch for ch in folded if not unicodedata.combining(ch)))


@pytest.mark.parametrize("text", _TEXTS)
def test_norm_is_the_nfkd_fold_of_every_character(text: str) -> None:
    assert norm(text) == _plain_norm(text)


@pytest.mark.parametrize(
    "paragraphs",
    [[], [""], ["one"], ["one two", "", "three\tfour\nfive"], [" lead  ", "  trail", "a\u00a0b"]],
)
def test_word_count_is_the_sum_of_each_paragraphs_words(paragraphs: list[str]) -> None:
    assert word_count(paragraphs) == sum(len(p.split()) for p in paragraphs)


@pytest.mark.parametrize("count", [0, 1, SIZE - 1, SIZE, SIZE + 1, 12])
def test_shingles_are_every_run_of_size_words(count: int) -> None:
    words = [f"w{i}" for i in range(count)]
    plain = [tuple(words[i : i + SIZE]) for i in range(len(words) - SIZE + 1)]
    expected = plain if count >= SIZE else ([tuple(words)] if words else [])
    assert shingles(words) == expected


def test_a_paragraphs_shingles_are_the_same_made_again_or_cached() -> None:
    paragraph = "The ferry, the harbour's pride, sails at 7:15 [1] - every day."
    first = _second_opinion._shingles(paragraph)
    assert list(first) == _second_opinion._text_shingles(paragraph)
    assert _second_opinion._shingles(paragraph) == first


@pytest.mark.parametrize(
    "text", ["x" * 40, "東京" * 20, "  a   b \n" * 10, "é\u00a0e " * 12, "東 a\u3000" * 9]
)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_text_size_over_a_small_node_is_its_tidied_size_at_the_limit(text: str, offset: int) -> None:
    node = LexborHTMLParser(f"<div id='d'>{text}</div>").css_first("#d")
    assert node is not None
    size = text_size(text_of(node))
    assert text_size_over(node, size + offset) == (size > size + offset)


def _story_page(wrapper_text: str) -> str:
    para = (
        "<p>The harbour board approved the new ferry timetable on Tuesday, adding two late "
        "sailings on weekdays and a first boat at six on Saturdays for market traders.</p>"
    )
    return (
        f"<html><body><div id='wrap'><div id='outer'>{wrapper_text}"
        f"<div id='story'>{para * 4}</div></div><div id='menu'><a href='/'>Home</a></div></div></body></html>"
    )


@pytest.mark.parametrize("wrapper_text", ["", "<span>Harbour news, Tuesday</span>"])
def test_a_wrapper_around_the_winner_is_not_read_yet_the_choice_is_the_same(wrapper_text: str) -> None:
    body = LexborHTMLParser(_story_page(wrapper_text)).body
    assert body is not None
    choice = choose_container(body)
    assert choice.best is not None and choice.best.attributes.get("id") == "story"
    scored = {c.node.attributes.get("id"): c.score for c in choice.candidates}
    # #outer holds the story's paragraphs and at least its text: it cannot beat #story (on a
    # tie the container found first wins), so its whole text is not read.
    assert scored["story"] is not None and scored["outer"] is None


_BLOCK_INNERS = [
    "Ferry times change",
    "Section 3<br>Pages 1-76",
    "<b>Day:</b> <i>Tuesday</i>",
    "<p>Day:</p><p>40 euros</p>",
    "<span>Line one<br>Line two</span>",
    "<!-- note -->Harbour<em>board</em>",
    "".join(f"<b>w{i}</b> " for i in range(_SMALL_SUBTREE + 5)),
    "".join(f"<b>w{i}</b>" for i in range(_SMALL_SUBTREE + 5)) + "<br>tail",
]


@pytest.mark.parametrize("tag", ["p", "li", "h2", "h1", "pre", "blockquote", "dd"])
@pytest.mark.parametrize("inner", _BLOCK_INNERS)
def test_block_text_is_the_broken_text_when_the_selector_finds_a_break(tag: str, inner: str) -> None:
    node = LexborHTMLParser(f"<div><{tag} id='b'>{inner}</{tag}></div>").css_first("#b")
    assert node is not None
    # The plain computation: a selector query (which matches the node itself too) for a break.
    plain = " ".join(_broken_text(node).split()) if node.css_first(_BREAKS) is not None else text_of(node)
    assert block_text(node) == plain


_STAMPED_TEXTS = [
    "",
    "The harbour board met on Tuesday.",
    " ".join(f"Jo says: May {d}, 2012 at 8:33 am Nice ferry." for d in range(1, THREAD_STAMPS + 2)),
    " ".join(f"Posted 10/{d}/2012 by Ann." for d in range(1, THREAD_STAMPS + 2)),
    " ".join(f"Ann {d} months ago: great" for d in range(1, THREAD_STAMPS + 2)),
]


@pytest.mark.parametrize("text", _STAMPED_TEXTS)
def test_holds_stamps_is_the_two_counts_and_the_same_asked_again(text: str) -> None:
    plain = count_posted(text) >= THREAD_STAMPS or count_dated(text) >= THREAD_STAMPS
    assert holds_stamps(text) == plain
    assert holds_stamps(text) == plain


def test_the_texts_read_while_scoring_are_the_containers_texts() -> None:
    page = _story_page("<span>Harbour news, Tuesday</span>")
    body = LexborHTMLParser(page).body
    assert body is not None
    choice = choose_container(body)
    assert choice.best is not None and choice.best.mem_id in choice.texts
    for cand in choice.candidates:
        if cand.score is not None:
            assert choice.texts[cand.node.mem_id] == text_of(cand.node)
    # The walk given the text read while scoring keeps what it keeps reading the text itself.
    given = container_text(choice.best, text=choice.texts[choice.best.mem_id])
    assert given == container_text(choice.best)


_OURS = [
    "Subscribe to our newsletter",
    "The harbour board approved the new ferry timetable on Tuesday after a long debate in the town "
    "hall, where traders, commuters and the ferry company's managers spoke for most of the evening.",
    "Two late sailings will run on weekdays from next month, and a first boat will leave the quay at "
    "six on Saturdays so that market traders reach the square before the stalls open.",
    "Market traders had asked for the early boat for years, the board's chair said, and the company "
    "agreed once the council offered to pay for the extra crew during the first winter.",
    "Share this story",
]
_LINE = "A line only trafilatura keeps, about the harbour's new waiting room and its opening hours."


@pytest.mark.parametrize("other", [_OURS[1:4], _OURS[2:3], [*_OURS[1:3], _LINE], [_OURS[2], _LINE], []])
def test_the_cuts_given_the_shared_paragraphs_cut_as_when_they_find_them(other: list[str]) -> None:
    shared = _second_opinion.shared_paragraphs(_OURS, other)
    after = _second_opinion.cut_after_shared(_OURS, other)
    assert _second_opinion.cut_after_shared(_OURS, other, shared) == after
    before = _second_opinion.cut_before_shared(_OURS, other)
    assert _second_opinion.cut_before_shared(_OURS, other, shared) == before
