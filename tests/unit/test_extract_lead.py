"""The event's ``lead`` is the standfirst the page shows under its headline, not an unshown summary."""

from __future__ import annotations

from newswire.events import ArticleEvent
from newswire.extract import extract_html
from tests.support.harbour_story import SENTENCES, URL

_DESCRIPTION = "Read everything about the harbour plan, the council vote and what it means for you."
_STANDFIRST = "The council backs a new quay for the fishing fleet, and work starts in the spring."


def _event(header_extra: str, masthead: str = "") -> ArticleEvent:
    head = (
        f'<head><title>Harbour plan approved</title><meta name="description" content="{_DESCRIPTION}"></head>'
    )
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    page = (
        f"<html>{head}<body>{masthead}<article><header><h1>Harbour plan approved</h1>{header_extra}"
        f"</header><div>{story}</div></article></body></html>"
    )
    return extract_html(page.encode(), URL, fetched="2026-12-04T12:00:00+00:00")


def test_the_shown_standfirst_is_the_lead_over_an_unshown_description() -> None:
    event = _event(f'<p class="article-subtitle">{_STANDFIRST}</p>')
    assert event.lead == _STANDFIRST
    assert _STANDFIRST not in event.body
    assert event.body.split("\n\n") == SENTENCES


def test_standfirst_words_of_other_languages_and_joined_tokens_count() -> None:
    for marks in ('class="ArticleHead_Ingress"', 'class="sub-title"', 'id="chapeau"'):
        assert _event(f"<div {marks}>{_STANDFIRST}</div>").lead == _STANDFIRST


def test_a_caption_or_author_profile_after_the_headline_is_not_the_lead() -> None:
    caption = f'<figure><img src="a.jpg"><figcaption class="summary">{_STANDFIRST}</figcaption></figure>'
    assert _event(caption).lead == _DESCRIPTION
    profile = f'<div class="author-box"><p class="description">{_STANDFIRST}</p></div>'
    assert _event(profile).lead == _DESCRIPTION


def test_the_description_stays_when_the_page_shows_no_standfirst() -> None:
    assert _event("").lead == _DESCRIPTION


def test_a_layout_wrapper_named_for_the_site_does_not_hide_the_standfirst() -> None:
    # The article's wrapper names the site's area ("siteAreaNews"); the headline sits outside it.
    head = (
        f'<head><title>Harbour plan approved</title><meta name="description" content="{_DESCRIPTION}"></head>'
    )
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    page = (
        f'<html>{head}<body><div class="layout"><h1>Harbour plan approved</h1>'
        '<article class="Article_siteAreaNews">'
        f'<header><div class="Article_elementLead"><p>{_STANDFIRST}</p></div></header><div>{story}</div>'
        "</article></div></body></html>"
    )
    assert extract_html(page.encode(), URL, fetched="2026-12-04T12:00:00+00:00").lead == _STANDFIRST


def _page(header: str, masthead: str = "") -> ArticleEvent:
    """A page whose article header is ``header`` (the headline and what sits around it)."""
    head = (
        f'<head><title>Harbour plan approved</title><meta name="description" content="{_DESCRIPTION}"></head>'
    )
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    article = f"<article><header>{header}</header><div>{story}</div></article>"
    page = f"<html>{head}<body>{masthead}{article}</body></html>"
    return extract_html(page.encode(), URL, fetched="2026-12-04T12:00:00+00:00")


def test_the_subtitle_in_the_headlines_hgroup_is_the_lead() -> None:
    # HTML's own markup for a heading's subtitle; a kicker above the headline is not it.
    event = _page(f"<hgroup><p>Harbour</p><h1>Harbour plan approved</h1><p>{_STANDFIRST}</p></hgroup>")
    assert event.lead == _STANDFIRST
    assert event.body.split("\n\n") == SENTENCES


def test_a_plain_teaser_right_below_the_headline_is_the_lead() -> None:
    # German templates name the standfirst "teaser"; a date line may sit between.
    teaser = f'<div class="teaser-text">{_STANDFIRST}</div>'
    event = _page(f"<h1>Harbour plan approved</h1><div>4 December 2026</div>{teaser}")
    assert event.lead == _STANDFIRST
    assert event.body.split("\n\n") == SENTENCES


def test_a_linked_teaser_card_below_the_headline_is_not_the_lead() -> None:
    card = f'<div class="teaser"><h3>Ferry fares</h3><a href="/ferry">{_STANDFIRST}</a></div>'
    assert _page(f"<h1>Harbour plan approved</h1>{card}").lead == _DESCRIPTION
    card = f'<a href="/ferry"><div class="article-teaser">{_STANDFIRST}</div></a>'
    assert _page(f"<h1>Harbour plan approved</h1>{card}").lead == _DESCRIPTION


def test_a_teaser_far_below_the_headline_is_not_the_lead() -> None:
    # A plain teaser block is the standfirst only right under the headline's text: with a share bar
    # of 300 characters between them it is another story's, and the description stays the lead.
    sites = ("Facebook", "X", "LinkedIn", "WhatsApp", "Reddit", "Pinterest", "Telegram", "e-mail")
    between = (
        '<ul class="share">'
        + "".join(
            f'<li><a href="/share/{i}">Share this story on {site} with your friends</a></li>'
            for i, site in enumerate(sites)
        )
        + "</ul>"
    )
    near = _page(f'<h1>Harbour plan approved</h1><div class="teaser">{_STANDFIRST}</div>')
    assert near.lead == _STANDFIRST
    far = _page(f'<h1>Harbour plan approved</h1>{between}<div class="teaser">{_STANDFIRST}</div>')
    assert far.lead == _DESCRIPTION


def test_the_story_headline_counts_when_the_site_logo_is_an_earlier_h1() -> None:
    head = (
        '<head><title>Harbour plan approved | Harbour Gazette</title><meta property="og:title" '
        f'content="Harbour plan approved"><meta name="description" content="{_DESCRIPTION}"></head>'
    )
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    page = (
        f'<html>{head}<body><div class="header"><a href="/"><h1>The harbour news portal</h1></a></div>'
        f'<main><header><h1>Harbour plan approved</h1><p class="article-subtitle">{_STANDFIRST}</p></header>'
        f"<article>{story}</article></main></body></html>"
    )
    event = extract_html(page.encode(), URL, fetched="2026-12-04T12:00:00+00:00")
    assert event.title == "Harbour plan approved"
    assert event.lead == _STANDFIRST


def test_standfirst_words_of_central_european_and_nordic_templates_count() -> None:
    for marks in ('class="article-perex"', 'class="zajawka"', 'class="article__preamble"', 'id="manchet"'):
        assert _event(f"<div {marks}>{_STANDFIRST}</div>").lead == _STANDFIRST


def test_a_standfirst_of_several_subtitles_is_the_lead_whole() -> None:
    second = "The fleet's owners pay a third of the cost, the port authority the rest of it."
    header = (
        f'<h1>Harbour plan approved</h1><div><h2 class="subtitle">{_STANDFIRST}</h2>'
        f'<h2 class="subtitle">{second}</h2></div>'
    )
    event = _page(header)
    assert event.lead == f"{_STANDFIRST} {second}"
    assert event.body.split("\n\n") == SENTENCES
