"""The extract stage on saved pages and text dumps: the fields a reader of the event would see."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest

from newswire import extract
from newswire.errors import ExtractError
from newswire.events import ArticleEvent, article_id_for, content_fingerprint, validate
from newswire.extract import Hints, extract_html, extract_text, parse_path

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
SEED = Path("/work/shared/fixtures/seed-article.txt")
FETCHED = "2026-01-02T03:04:05.000+00:00"


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def _valid(event: ArticleEvent) -> None:
    validate("article", dataclasses.asdict(event))


def test_public_api_is_small_and_stable() -> None:
    assert sorted(extract.__all__) == ["Hints", "decode_html", "extract_html", "extract_text", "parse_path"]


# ------------------------------------------------------------------ JSON-LD page


def test_jsonld_page_fields() -> None:
    event = extract_html(
        _page("jsonld_article.html"),
        "https://gazette.example/x?utm_source=rss",
        fetched=FETCHED,
        source="feed:gazette",
    )
    assert event.canonical_url == "https://gazette.example/local/harbour-bridge-reopens"
    assert event.article_id == article_id_for("https://gazette.example/local/harbour-bridge-reopens")
    assert event.url == "https://gazette.example/x?utm_source=rss"
    assert event.title == "Harbour bridge reopens after two-year repair"
    # Organisation dropped because people are named; "By " removed.
    assert event.authors == ["Maria Lopez", "Tom O'Neill"]
    assert event.published == "2024-03-05T07:30:00+01:00"
    assert event.modified == "2024-03-05T09:15:00+01:00"
    assert event.site == "Example Gazette"
    assert event.section == "Local"
    assert event.tags == ["bridges", "transport", "harbour"]
    assert event.image == "https://gazette.example/img/bridge.jpg"
    assert event.free_access is False
    assert event.language == "en"
    assert (
        event.lead
        == "The old swing bridge carries traffic again after engineers replaced its corroded steel deck."
    )
    assert event.fetched == FETCHED
    assert event.source == "feed:gazette"
    assert event.fingerprint == content_fingerprint(event.title, event.body)
    _valid(event)


def test_jsonld_page_body_keeps_text_and_subheads_drops_boilerplate() -> None:
    event = extract_html(_page("jsonld_article.html"), "https://gazette.example/x", fetched=FETCHED)
    paragraphs = event.body.split("\n\n")
    assert paragraphs[0].startswith("The old swing bridge across the harbour carried traffic again")
    assert "A costly repair" in paragraphs
    assert paragraphs[-1].endswith("customers will now return to the old quarter.")
    assert len(paragraphs) == 5
    for junk in (
        "Share on Facebook",
        "newsletter",
        "Ferry timetable",
        "Copyright",
        "first morning back",
        "Harbour bridge reopens",
        "By Maria Lopez",
        "Home",
    ):
        assert junk not in event.body


# ------------------------------------------------------------------ OpenGraph fallback


def test_og_fallback_page() -> None:
    event = extract_html(
        _page("og_fallback.html"),
        "https://coastal.example/energy/wind-farm-approved?ref=home",
        fetched=FETCHED,
    )
    # Site name and date suffix removed from og:title.
    assert event.title == "Wind farm approved despite protests"
    # og:url is relative: resolved against the page URL.
    assert event.canonical_url == "https://coastal.example/energy/wind-farm-approved"
    assert event.authors == ["Jane Doe", "John Smith"]
    # Naive published time takes the offset the page states on its other date.
    assert event.published == "2023-04-28T10:00:00+02:00"
    assert event.modified == "2023-04-28T12:00:00+02:00"
    assert event.tags == ["Energy", "Wind power"]
    assert event.site == "Coastal Times"
    assert event.free_access is None
    # The page claims lang="de" but the text is clearly English.
    assert event.language == "en"
    assert "cookies" not in event.body
    assert "Storm warning" not in event.body
    # The standfirst shown on the page is the lead, and, being article text readers see, the
    # body's first paragraph too.
    assert event.lead is not None and event.lead.startswith(
        "Planners have approved twelve turbines off the northern coast, ending a dispute"
    )
    first, second, *_ = event.body.split("\n\n")
    assert first == event.lead
    assert second.startswith("The decision was taken late on Thursday")
    assert len(event.body.split("\n\n")) == 4


def test_byline_page_without_metadata() -> None:
    event = extract_html(
        _page("byline_only.html"), "https://riverside.example/news/2024/03/01/night-trains", fetched=FETCHED
    )
    assert event.title == "Council votes to keep the night trains running"
    assert event.authors == ["Anna Smith", "Bob Jones"]
    assert event.published == "2024-03-01T08:00:00+00:00"
    assert event.canonical_url == "https://riverside.example/news/2024/03/01/night-trains"
    assert event.body.startswith("The city council voted on Thursday")
    assert "1 March 2024" not in event.body
    assert "By Anna Smith" not in event.body


@pytest.mark.parametrize(
    ("raw_title", "expected"),
    [
        ("Chip shortage eases - Golem.de", "Chip shortage eases"),
        ("Scholz visits Kyiv | DW | 28.04.2023", "Scholz visits Kyiv"),
        ("Ferries cancelled: storm hits coast – Riverside Post", "Ferries cancelled: storm hits coast"),
        ("Riverside Post | Ferries cancelled", "Ferries cancelled"),
        ("Pay talks - what the unions want", "Pay talks - what the unions want"),
        ("Ferries cancelled | Riverside Post | by Anna Smith", "Ferries cancelled"),
        (
            "Ferries cancelled, storm hits coast | Travel | Riverside Post",
            "Ferries cancelled, storm hits coast",
        ),
        ("Review - Dune: Part Two", "Review - Dune: Part Two"),
    ],
)
def test_title_suffix_removal(raw_title: str, expected: str) -> None:
    host = {"Golem": "www.golem.de", "DW": "www.dw.com"}
    url = next(
        (f"https://{h}/a/1" for k, h in host.items() if k in raw_title), "https://riverside.example/a/1"
    )
    html = (
        f"<html><head><title>{raw_title}</title><meta property='og:site_name' content='Riverside Post'>"
        "</head><body><div><p>"
        + "The ferry company cancelled every crossing on Friday because of the storm. " * 4
        + "</p></div></body></html>"
    )
    assert extract_html(html, url, fetched=FETCHED).title == expected


def test_naive_dates_are_utc_and_url_dates_are_a_fallback() -> None:
    body = (
        "<p>"
        + "Election officials counted the postal votes late into the night in the city hall. " * 3
        + "</p>"
    )
    naive = f"<html><head><meta name='date' content='2024-06-09 21:15'></head><body>{body}</body></html>"
    assert (
        extract_html(naive, "https://x.example/a", fetched=FETCHED).published == "2024-06-09T21:15:00+00:00"
    )
    rfc = (
        "<html><head><meta name='pubdate' content='Sun, 09 Jun 2024 21:15:00 +0200'></head>"
        f"<body>{body}</body></html>"
    )
    assert extract_html(rfc, "https://x.example/a", fetched=FETCHED).published == "2024-06-09T21:15:00+02:00"
    bare = f"<html><body>{body}</body></html>"
    assert extract_html(bare, "https://x.example/2024/06/09/count", fetched=FETCHED).published == (
        "2024-06-09T00:00:00+00:00"
    )
    assert extract_html(bare, "https://x.example/count", fetched=FETCHED).published is None


def test_hints_fill_what_the_page_leaves_out() -> None:
    html = (
        "<html><body><p>"
        + "Local volunteers planted four hundred trees along the river bank. " * 3
        + "</p></body></html>"
    )
    hints = Hints(
        title="Volunteers plant trees",
        published="2024-02-03T10:00:00Z",
        authors=("Kim Lee",),
        summary="Four hundred trees.",
        language="en",
    )
    event = extract_html(html, "https://x.example/trees", hints=hints, fetched=FETCHED)
    assert event.title == "Volunteers plant trees"
    assert event.published == "2024-02-03T10:00:00+00:00"
    assert event.authors == ["Kim Lee"]
    assert event.lead == "Four hundred trees."


def test_author_lists_are_split_and_urls_dropped() -> None:
    html = (
        "<html><head><meta name='author' content='Von Petra Klein, Jan Berg und Lea Wolf'>"
        "<meta property='article:author' content='https://facebook.com/someone'></head><body><p>"
        + "Die Stadtwerke erhöhen die Preise für Fernwärme zum ersten April deutlich. " * 3
        + "</p></body></html>"
    )
    assert extract_html(html, "https://x.example/a", fetched=FETCHED).authors == [
        "Petra Klein",
        "Jan Berg",
        "Lea Wolf",
    ]


def test_jsonld_article_body_used_when_dom_has_only_a_teaser() -> None:
    text = "Paragraph one of the full story about the new tram line and its many stops across town."
    html = (
        '<html><head><script type="application/ld+json">'
        '{"@type": "NewsArticle", "headline": "Tram line opens", '
        f'"articleBody": "{text}\\n\\n{text} Second.\\n\\n{text} Third."}}</script></head>'
        "<body><p>Paragraph one of the full story about the new tram line.</p>"
        "<p>Subscribe to read more.</p></body></html>"
    )
    event = extract_html(html, "https://x.example/tram", fetched=FETCHED)
    assert event.body.split("\n\n") == [text, f"{text} Second.", f"{text} Third."]


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        b"<html><head><title>Only a title</title></head><body></body></html>",
        b"<html><body><nav><a href='/'>Home</a></nav><script>var x = 1;</script></body></html>",
    ],
)
def test_pages_without_article_raise_extract_error(html: bytes) -> None:
    with pytest.raises(ExtractError):
        extract_html(html, "https://x.example/empty", fetched=FETCHED)


def test_charset_of_bytes_is_honoured() -> None:
    text = "Жители города вышли на улицы, чтобы отметить открытие нового моста через реку. " * 3
    html = (
        "<html><head><meta charset='windows-1251'><title>Новый мост</title></head><body><p>"
        + text
        + "</p></body></html>"
    ).encode("cp1251")
    event = extract_html(
        html, "https://x.example/most", content_type="text/html; charset=utf-8", fetched=FETCHED
    )
    assert event.body.startswith("Жители города вышли на улицы")
    assert event.title == "Новый мост"
    assert event.language == "ru"


# ------------------------------------------------------------------ text dumps


def test_seed_text_dump() -> None:
    event = parse_path(SEED)
    assert event.url == SEED.resolve().as_uri()
    assert event.title == "Baltics in new NATO demand"
    assert event.published == "2022-01-13T19:23:00+00:00"
    assert (
        event.lead == "Estonia, Latvia and Lithuania want to increase deterrence "
        "against possible Russian military action"
    )
    assert event.body.startswith("The Baltic states have begun discussions")
    assert "icon" not in event.body
    assert "Baltics in new NATO demand" not in event.body
    assert event.lead not in event.body
    assert event.language == "en"
    assert event.body.endswith("two countries that both wish to join the bloc.")
    _valid(event)


def test_text_dump_with_other_date_format_and_trailing_ui() -> None:
    dump = (
        "Menu Search Sign in\n\nMarch 4, 2024 7:05 pm\n\nCity opens new library\n"
        "The building on Main Street holds two hundred thousand books\n\n"
        "The new central library opened its doors on Monday after four years "
        "of construction work downtown.\n\n"
        "Visitors queued around the block, and the first thousand library cards were gone by noon.\n\n"
        "Share Print Comments\n"
    )
    event = extract_text(dump, "https://x.example/library", fetched=FETCHED)
    assert event.title == "City opens new library"
    assert event.published == "2024-03-04T19:05:00+00:00"
    assert event.lead == "The building on Main Street holds two hundred thousand books"
    assert event.body.split("\n\n") == [
        "The new central library opened its doors on Monday after four years of construction work downtown.",
        "Visitors queued around the block, and the first thousand library cards were gone by noon.",
    ]


def test_text_dump_without_text_raises() -> None:
    with pytest.raises(ExtractError):
        extract_text(
            "icon bookmark icon share icon close icon menu icon search icon\n\n", "https://x.example/e"
        )


# ------------------------------------------------------------------ files


def test_parse_path_reads_gzipped_html(tmp_path: Path) -> None:
    target = tmp_path / "story.html.gz"
    target.write_bytes(gzip.compress(_page("jsonld_article.html")))
    event = parse_path(target, "https://gazette.example/x")
    assert event.title == "Harbour bridge reopens after two-year repair"
    assert event.url == "https://gazette.example/x"


def test_parse_path_errors_are_extract_errors(tmp_path: Path) -> None:
    with pytest.raises(ExtractError):
        parse_path(tmp_path / "missing.html")
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8bnot a gzip stream after its magic bytes")  # files are read by content
    with pytest.raises(ExtractError):
        parse_path(broken)
    other = tmp_path / "data.json"
    other.write_text("{}")
    with pytest.raises(ExtractError):
        parse_path(other)


def test_missing_url_is_an_extract_error() -> None:
    with pytest.raises(ExtractError):
        extract_html(_page("byline_only.html"), "")
    with pytest.raises(ExtractError):
        extract_text("Title\n\nSome body text that is long enough to count as an article paragraph.", "")


def test_absurdly_deep_markup_still_yields_the_paragraph() -> None:
    text = "Deep inside the markup there is still one real paragraph of article text to find here. " * 2
    html = "<div>" * 5000 + f"<p>{text}</p>" + "</div>" * 5000
    assert extract_html(html, "https://x.example/deep", fetched=FETCHED).body == text.strip()


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        ("13 Jan, 2022 19:23", "2022-01-13T19:23:00+00:00"),
        ("January 13, 2022 7:23 pm EST", "2022-01-13T19:23:00-05:00"),
        ("13.01.2022, 19:23 Uhr MEZ", "2022-01-13T19:23:00+01:00"),
        ("2022-01-13T19:23:00+02:00", "2022-01-13T19:23:00+02:00"),
        ("Thu, 13 Jan 2022 19:23:00 GMT", "2022-01-13T19:23:00+00:00"),
        ("13. Januar 2022", "2022-01-13T00:00:00+00:00"),
    ],
)
def test_text_dump_date_formats(date_line: str, expected: str) -> None:
    dump = (
        f"{date_line}\n\nMayor opens the new harbour\n\n"
        "The mayor opened the new harbour on Thursday in front of a large crowd of residents.\n"
    )
    event = extract_text(dump, "https://x.example/harbour", fetched=FETCHED)
    assert event.published == expected
    assert event.title == "Mayor opens the new harbour"


def test_extraction_works_in_a_process_pool() -> None:
    # The ingest daemon runs extract_html in worker processes: arguments, results and errors
    # must cross the process boundary unchanged.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    raw = _page("jsonld_article.html")
    local = extract_html(raw, "https://gazette.example/x", fetched=FETCHED)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = pool.submit(extract_html, raw, "https://gazette.example/x", fetched=FETCHED).result()
        failure = pool.submit(extract_html, b"", "https://gazette.example/empty").exception()
    assert remote == local
    assert isinstance(failure, ExtractError)


def test_visible_standfirst_is_the_lead_in_its_shown_wording_not_body_text() -> None:
    para = "The committee met for six hours on Tuesday and heard from more than forty witnesses in total. "
    html = (
        "<html><head><meta property='og:description' content='Residents of the valley will vote in June on "
        "whether the old…'></head><body><header class='article-header'><h1>Valley to vote on dam</h1>"
        "<p class='standfirst'>Residents of the valley will vote in June on whether the old dam is torn "
        "down, after a decade of dispute.</p></header>"
        f"<div class='article-body'><p>{para * 2}</p><p>{para}</p><p>{para * 3}</p></div></body></html>"
    )
    event = extract_html(html, "https://x.example/dam", fetched=FETCHED)
    # The description is truncated ("…"); the lead is the standfirst as the page shows it.
    assert event.lead == (
        "Residents of the valley will vote in June on whether the old dam is torn down, "
        "after a decade of dispute."
    )
    assert event.body.startswith("The committee met for six hours")
    assert len(event.body.split("\n\n")) == 3


def test_parse_path_knows_a_page_by_its_content_not_its_name(tmp_path: Path) -> None:
    # Saved pages come as .php, .aspx or with no suffix, and gzipped under a plain name.
    page = _page("jsonld_article.html")
    for name, content in [
        ("story.php", page),
        ("story", page),
        ("story.html", gzip.compress(page)),
        ("story.aspx.gz", gzip.compress(page)),
    ]:
        target = tmp_path / name
        target.write_bytes(content)
        assert (
            parse_path(target, "https://gazette.example/x").title
            == "Harbour bridge reopens after two-year repair"
        )


def test_parse_path_refuses_a_file_that_is_neither_page_nor_text(tmp_path: Path) -> None:
    target = tmp_path / "photo.jpg"
    target.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    with pytest.raises(ExtractError, match="not an HTML page"):
        parse_path(target)


_STORY = (
    "<p>"
    + "The council approved the harbour plan on Tuesday after a debate that ran past midnight. " * 4
    + "</p>"
)


def _headline_page(*, og: str, ld: str, nav_h1: str, header: str) -> str:
    return (
        f"<html><head><title>{ld} | Riverside Post</title><meta property='og:title' content=\"{og}\">"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "' + ld + '"}</script>'
        f"</head><body><nav class='breadcrumb'><a href='/'>Home</a><h1>{nav_h1}</h1></nav>"
        f"<article><header>{header}</header>{_STORY}</article></body></html>"
    )


def test_the_headline_the_page_displays_wins_over_an_seo_headline() -> None:
    # The JSON-LD headline is an SEO wording, repeated in a breadcrumb <h1>; the article's header
    # shows og:title after a kicker.
    page = _headline_page(
        og="Council approves the harbour plan",
        ld="Harbour plan approved: what it means for the town",
        nav_h1="Harbour plan approved: what it means for the town",
        header="<h2><span class='kicker'>Harbour</span> <span>Council approves the harbour plan</span></h2>",
    )
    assert extract_html(page, "https://riverside.example/a/1", fetched=FETCHED).title == (
        "Council approves the harbour plan"
    )


def test_a_title_shown_only_in_a_breadcrumb_is_not_the_displayed_headline() -> None:
    page = _headline_page(
        og="Harbour plan approved after a long night",
        ld="Council approves the harbour plan",
        nav_h1="Harbour plan approved after a long night",
        header="<h2>Council approves the harbour plan</h2>",
    )
    assert extract_html(page, "https://riverside.example/a/1", fetched=FETCHED).title == (
        "Council approves the harbour plan"
    )


@pytest.mark.parametrize(
    ("og", "ld"),
    [
        ("Council\u2019s harbour plan approved", "Council's harbour plan approved"),
        ("Council's harbour plan approved", "Council\u2019s harbour plan approved"),
    ],
)
def test_of_two_equal_wordings_the_one_written_as_displayed_wins(og: str, ld: str) -> None:
    page = _headline_page(og=og, ld=ld, nav_h1="", header="<h1>Council's harbour plan approved</h1>")
    assert extract_html(page, "https://riverside.example/a/1", fetched=FETCHED).title == (
        "Council's harbour plan approved"
    )


@pytest.mark.parametrize(
    ("og", "ld"),
    [
        ("\u201cWe will rebuild the harbour\u201d, mayor says", "We will rebuild the harbour, mayor says"),
        ("We will rebuild the harbour, mayor says", "\u201cWe will rebuild the harbour\u201d, mayor says"),
    ],
)
def test_of_two_equal_wordings_the_one_without_quotes_around_a_phrase_wins(og: str, ld: str) -> None:
    # The heading sets the quoted speech in quotes; one declared title drops them.
    page = _headline_page(
        og=og, ld=ld, nav_h1="", header="<h1>\u201cWe will rebuild the harbour\u201d, mayor says</h1>"
    )
    assert extract_html(page, "https://riverside.example/a/1", fetched=FETCHED).title == (
        "We will rebuild the harbour, mayor says"
    )


def _guide_page(*, h1: str, dated: bool, ld_type: str | None = None) -> str:
    published = "<meta property='article:published_time' content='2026-03-02T08:00:00Z'>" if dated else ""
    if ld_type:
        published += (
            "<script type='application/ld+json'>"
            f'{{"@type": "{ld_type}", "headline": "Harbour walks: a guide for 2026"}}</script>'
        )
    return (
        "<html><head><title>Harbour walks: a guide for 2026 | Riverside Post</title>"
        f"<meta property='og:title' content='Harbour walks: a guide for 2026'>{published}</head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{h1}</h1>{_STORY}</article></body></html>"
    )


def test_an_undated_page_shows_its_h1_rewording_of_the_declared_title() -> None:
    # A guide titles its metadata for search engines and shows readers another wording.
    page = _guide_page(h1="The ten best harbour walks for 2026", dated=False)
    assert extract_html(page, "https://riverside.example/guides/walks", fetched=FETCHED).title == (
        "The ten best harbour walks for 2026"
    )


@pytest.mark.parametrize("ld_type", ["BlogPosting", "Article", "WebPage"])
def test_a_dated_post_declared_as_no_news_story_shows_its_h1_rewording(ld_type: str) -> None:
    # Its JSON-LD calls the page a post, guide or page: its metadata is worded for search engines.
    page = _guide_page(h1="The ten best harbour walks for 2026", dated=True, ld_type=ld_type)
    assert extract_html(page, "https://riverside.example/guides/walks", fetched=FETCHED).title == (
        "The ten best harbour walks for 2026"
    )


@pytest.mark.parametrize(
    ("h1", "dated", "ld_type"),
    [
        ("The ten best harbour walks for 2026", True, None),  # a dated story keeps its declared title
        ("The ten best harbour walks for 2026", True, "NewsArticle"),  # and so does a declared news story
        ("Our travel desk", False, None),  # an <h1> that names a section is no rewording
        ("Riverside walks", False, None),  # nor one that shares a single word with the title
    ],
)
def test_the_declared_title_stays_on_dated_stories_and_beside_a_section_h1(
    h1: str, dated: bool, ld_type: str | None
) -> None:
    page = _guide_page(h1=h1, dated=dated, ld_type=ld_type)
    assert extract_html(page, "https://riverside.example/guides/walks", fetched=FETCHED).title == (
        "Harbour walks: a guide for 2026"
    )
