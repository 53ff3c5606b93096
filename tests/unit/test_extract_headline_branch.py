"""A winning container that holds the article and a column beside it is narrowed to the headline's branch."""

from __future__ import annotations

from pathlib import Path

from newswire.extract import extract_html
from newswire.extract._explain import explain_path
from newswire.extract._second_opinion import confirms
from tests.support.harbour_story import SENTENCES, URL

FETCHED = "2026-12-04T12:00:00+00:00"
HEADLINE = "Harbour board approves the new quay"
BLURBS = [
    "Recent post: the ferry company adds a winter crossing to the island on Saturdays, starting in the"
    " first week of December.",
    "Recent post: the market hall closes for repairs in February, and the traders move to the car park"
    " by the station meanwhile.",
    "Recent post: the lighthouse opens for tours again after the storm damage to its stairs was repaired"
    " over the autumn.",
]


def _page_with_column(blurbs: list[str] = BLURBS) -> str:
    """The story under its headline in one column, long unlinked blurbs of other posts in the next."""
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    column = "".join(f"<div class='item'><p>{b}</p></div>" for b in blurbs)
    return (
        f"<html><head><title>{HEADLINE}</title></head><body><div id='page'>"
        f"<div id='left'><div class='post'><h1>{HEADLINE}</h1><div class='text'>{story}</div></div></div>"
        f"<div id='right'>{column}</div></div></body></html>"
    )


def test_a_column_of_other_posts_beside_the_article_stays_out_of_the_body() -> None:
    # The blurbs are long unlinked paragraphs, so the page box holding both columns outscores the
    # article's; the headline's column holds most of its text and trafilatura reads the story there.
    event = extract_html(_page_with_column().encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "container"
    assert all(sentence in event.body for sentence in SENTENCES)
    assert not any(blurb in event.body for blurb in BLURBS)


def test_the_branch_is_the_body_only_when_trafilaturas_text_lies_within_it() -> None:
    branch = SENTENCES[:4]
    assert confirms(branch, SENTENCES[:4])
    # trafilatura reads the article on beyond the branch: the branch is not the whole article.
    assert not confirms(branch, SENTENCES)
    # Too few words to say where the article is.
    assert not confirms(branch, SENTENCES[:1])


def test_explain_shows_the_headline_branch_decision(tmp_path: Path) -> None:
    page = tmp_path / "quay.html"
    page.write_text(_page_with_column(), encoding="utf-8")
    report = explain_path(page, URL)
    assert "the headline's branch: <div#left>" in report
    assert "decision: the headline's branch" in report and "it is the body" in report
