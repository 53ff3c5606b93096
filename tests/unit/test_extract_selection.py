"""Which region of the page is the article: selection rules of the container strategy."""

from __future__ import annotations

import json
from pathlib import Path

from newswire.extract import extract_html
from newswire.extract._explain import explain_path
from newswire.extract._second_opinion import cut_after_shared, cut_before_shared
from tests.support.harbour_story import SENTENCES, URL

FETCHED = "2026-12-05T12:00:00+00:00"
HEADLINE = "Harbour board approves the new quay"
LIVE = [
    "Live: the ferry company adds a winter crossing to the island on Saturdays, starting in the first"
    " week of December, its spokesman said on Friday, and the fares stay as they were this year.",
    "Live: the market hall closes for repairs in February, and the traders move to the car park by the"
    " station while the roof is mended, which the council expects to take about six weeks in all.",
    "Live: the lighthouse opens for tours again after the storm damage to its stairs was repaired over"
    " the autumn by volunteers from the sailing club and two carpenters from the village.",
    "Live: the council meets on Monday to set next year's budget, with the school buses and the swimming"
    " pool on the agenda again, after last year's meeting ran out of time before either came up.",
]


def _page_with_aside() -> str:
    """The story in the page's column and, beside it in the same box, an ``<aside>`` of live news
    whose paragraphs are as long and unlinked as the story's."""
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    live = "".join(f"<p>{line}</p>" for line in LIVE)
    return (
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        f"<div id='columns'><div class='story'>{story}</div><aside id='live'>{live}</aside></div>"
        "</body></html>"
    )


def test_an_aside_of_long_paragraphs_beside_the_story_stays_out_of_the_body() -> None:
    # The aside's paragraphs are long and unlinked, so it stays after cleaning; counted for the box
    # holding both columns, they would make that box the article.
    event = extract_html(_page_with_aside().encode(), URL, fetched=FETCHED)
    assert all(sentence in event.body for sentence in SENTENCES)
    assert not any(line in event.body for line in LIVE)


def test_explain_shows_the_aside(tmp_path: Path) -> None:
    page = tmp_path / "aside.html"
    page.write_text(_page_with_aside(), encoding="utf-8")
    report = explain_path(page, URL)
    assert "aside from the main content" in report and "<aside#live>" in report
    assert "winner: <div.story>" in report


FORM = [
    "Request our free guide to the harbour.",
    "Fill out the form to get a copy of our guide.",
    "Copyright 2026 Harbour News. All rights reserved.",
    "Privacy policy and terms of use.",
]


def _asked_page(*, before: list[str] | None = None, after: list[str] | None = None) -> str:
    """The story with a form's lines before or after it in one box, inside an ``<article>`` that
    also holds a long list of place links (so the declared article outweighs the body and
    trafilatura is asked)."""
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    head, tail = ("".join(f"<p>{line}</p>" for line in lines or []) for lines in (before, after))
    head = f"<form action='/tools'>{head}</form>" if head else ""
    tail = f"<form action='/guide'>{tail}</form>" if tail else ""
    places = " ".join(f"<a href='/place/{i}'>Harbour place number {i}</a>" for i in range(30))
    return (
        f"<html><head><title>{HEADLINE}</title></head><body><article><h1>{HEADLINE}</h1>"
        f"<div class='post'>{head}{story}{tail}</div>"
        f"<div class='index'>{places}</div></article></body></html>"
    )


def test_the_body_ends_where_both_readers_end_the_article() -> None:
    # trafilatura leaves the form out and reads the story as ours does: the form's lines after the
    # last paragraph both bodies share are cut, the story stays ours.
    event = extract_html(_asked_page(after=FORM).encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "container"
    assert all(sentence in event.body for sentence in SENTENCES)
    assert not any(line in event.body for line in FORM)


def _sure_page_ending_in_a_form() -> str:
    """The story and a sign-up form in one box, the whole page's text: a sure container."""
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    form = "".join(f"<p>{line}</p>" for line in FORM)
    return (
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        f"<div class='post'>{story}<form action='/guide'>{form}</form></div></body></html>"
    )


def test_a_sure_body_ending_in_furniture_asks_where_the_article_ends() -> None:
    # The body is sure (all of the page's paragraph text, mostly prose), but its last 15%+ are lines
    # that are not prose: trafilatura is asked, ends the article with the story, and the form goes.
    event = extract_html(_sure_page_ending_in_a_form().encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "container"
    assert all(sentence in event.body for sentence in SENTENCES)
    assert not any(line in event.body for line in FORM)


def test_a_sure_body_keeps_a_prose_tail_trafilatura_left_out() -> None:
    # A sure body's prose after trafilatura's last paragraph is article text it stopped before.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    form = "".join(f"<p>{line}</p>" for line in FORM)
    page = (
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        f"<div class='post'>{story}<form action='/guide'><p>{LIVE[0]}</p>{form}</form></div></body></html>"
    )
    event = extract_html(page.encode(), URL, fetched=FETCHED)
    assert LIVE[0] in event.body


def test_a_long_tail_is_not_cut() -> None:
    # trafilatura read only the first two paragraphs: the four after them are too much of ours to be
    # furniture, so nothing is cut.
    assert cut_after_shared(SENTENCES, SENTENCES[:2]) == SENTENCES
    assert cut_after_shared([*SENTENCES, *FORM], SENTENCES) == SENTENCES


def test_a_table_both_readers_keep_is_not_cut_for_its_short_cells() -> None:
    # The walk gives each cell of a data table a line ("Pier 4", "212"), trafilatura a row per line
    # ("| Pier 4 | 212 | 14 |"): the cells, each too short for a shingle of its own, are judged as
    # one run of text against trafilatura's body, and the share buttons after the table still go.
    rows = [
        ("Berth", "Metres", "Boats"),
        ("Pier 1", "180", "12"),
        ("Pier 2", "240", "16"),
        ("Pier 3", "95", "6"),
    ]
    cells = [cell for row in rows for cell in row]
    theirs = [*SENTENCES, *("| " + " | ".join(row) + " |" for row in rows)]
    assert cut_after_shared([*SENTENCES, *cells, "Share", "Tweet"], theirs) == [*SENTENCES, *cells]


def test_explain_shows_the_cut(tmp_path: Path) -> None:
    page = tmp_path / "form.html"
    page.write_text(_asked_page(after=FORM), encoding="utf-8")
    cut = "decision: our body ends after the last paragraph trafilatura's body shares"
    assert cut in explain_path(page, URL)
    page.write_text(_sure_page_ending_in_a_form(), encoding="utf-8")
    report = explain_path(page, URL)
    assert "it is asked where the article ends" in report and cut in report


SHARE_LINES = [
    "Photos by the harbour board.",
    "Sign up for our weekly newsletter.",
    "Copyright 2026 Harbour News.",
]


def _sure_page_ending_in_short_lines() -> str:
    """A sure container whose story ends in three short lines that are not prose (short sentences,
    so the tidy step keeps them as it keeps any body's last sentence): together under 15% of the
    body's characters, so only their number says the body ends in furniture."""
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    lines = "".join(f"<p>{line}</p>" for line in SHARE_LINES)
    return (
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        f"<div class='post'>{story}<form action='/share'>{lines}</form></div></body></html>"
    )


def test_a_sure_body_ending_in_a_run_of_short_lines_asks_where_the_article_ends() -> None:
    tail = sum(map(len, SHARE_LINES)) / sum(map(len, [*SENTENCES, *SHARE_LINES]))
    assert 0.07 <= tail < 0.15
    event = extract_html(_sure_page_ending_in_short_lines().encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "container"
    assert all(sentence in event.body for sentence in SENTENCES)
    assert not any(line in event.body for line in SHARE_LINES)


def test_explain_shows_the_run_of_short_lines(tmp_path: Path) -> None:
    page = tmp_path / "share.html"
    page.write_text(_sure_page_ending_in_short_lines(), encoding="utf-8")
    report = explain_path(page, URL)
    assert "3+ such lines holding 7%+" in report
    assert "decision: our body ends after the last paragraph trafilatura's body shares" in report


TOOLS = ["Listen to this story.", "Save this story for later.", "Print this page."]


def test_the_body_starts_where_both_readers_start_the_article() -> None:
    # trafilatura leaves the toolbar out and reads the story as ours does: the lines before the first
    # paragraph both bodies share are not prose, so they go.
    event = extract_html(_asked_page(before=TOOLS).encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "container"
    assert all(sentence in event.body for sentence in SENTENCES)
    assert not any(line in event.body for line in TOOLS)


def test_a_long_head_is_not_cut() -> None:
    # trafilatura read only the last two paragraphs: the four before them are too much of ours.
    assert cut_before_shared(SENTENCES, SENTENCES[-2:]) == SENTENCES
    assert cut_before_shared([*TOOLS, *SENTENCES], SENTENCES) == SENTENCES


def test_explain_shows_the_head_cut(tmp_path: Path) -> None:
    page = tmp_path / "tools.html"
    page.write_text(_asked_page(before=TOOLS), encoding="utf-8")
    report = explain_path(page, URL)
    assert "decision: our body starts at the first paragraph trafilatura's body shares" in report


def test_a_head_that_reads_as_prose_stays() -> None:
    # An intro trafilatura leaves out (here: inside a form) is article text when it reads as prose.
    intro = (
        "Our reporter spent the evening at the harbour board's meeting, where the vote on the quay was"
        " the last item on a long agenda."
    )
    page = _asked_page(before=TOOLS).replace(
        "<form action='/tools'>", f"<form action='/tools'><p>{intro}</p>"
    )
    event = extract_html(page.encode(), URL, fetched=FETCHED)
    assert intro in event.body


def _page_declaring_its_story() -> str:
    """A sure container holding a toolbar, the story and furniture lines, on a page whose JSON-LD
    declares the story's text as its ``articleBody``."""
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    tools = "".join(f"<p>{line}</p>" for line in TOOLS)
    lines = "".join(f"<p>{line}</p>" for line in SHARE_LINES)
    ld = json.dumps({"@type": "NewsArticle", "headline": HEADLINE, "articleBody": " ".join(SENTENCES)})
    return (
        f"<html><head><title>{HEADLINE}</title><script type='application/ld+json'>{ld}</script></head>"
        f"<body><h1>{HEADLINE}</h1><div class='post'><div class='tools'>{tools}</div>{story}"
        f"{lines}</div></body></html>"
    )


def test_the_declared_article_body_starts_and_ends_the_body() -> None:
    # The publisher's JSON-LD holds the story only: our lines before and after it, not prose, go.
    event = extract_html(_page_declaring_its_story().encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "container"
    assert all(sentence in event.body for sentence in SENTENCES)
    assert not any(line in event.body for line in [*TOOLS, *SHARE_LINES])


def test_explain_shows_the_declared_article_body_cuts(tmp_path: Path) -> None:
    page = tmp_path / "declared.html"
    page.write_text(_page_declaring_its_story(), encoding="utf-8")
    report = explain_path(page, URL)
    assert "our body starts at the first paragraph the JSON-LD articleBody shares" in report
    assert "our body ends after the last paragraph the JSON-LD articleBody shares" in report
