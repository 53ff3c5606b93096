"""Authors, dates and headlines as a reader of the event sees them, on small pages."""

from __future__ import annotations

from newswire.extract import extract_html

FETCHED = "2026-01-02T03:04:05.000+00:00"
TEXT = "<p>" + "Die Stadtwerke erhöhen die Preise für Fernwärme zum ersten April deutlich. " * 3 + "</p>"


def _page(head: str, body: str = "") -> str:
    site = "<meta property='og:site_name' content='Stadtkurier'>"
    return f"<html><head>{site}{head}</head><body>{body}{TEXT}</body></html>"


def _ld_author(kind: str, name: str) -> str:
    author = f'{{"@type": "{kind}", "name": "{name}"}}'
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", "author": {author}}}</script>'


def _authors(head: str, body: str = "") -> list[str]:
    return extract_html(_page(head, body), "https://www.stadtkurier.de/a/1", fetched=FETCHED).authors


def test_the_site_named_beside_a_reporter_is_not_an_author() -> None:
    assert _authors("<meta name='author' content='Anna Berg, STADTKURIER'>") == ["Anna Berg"]


def test_the_agency_json_ld_credits_wins_over_a_meta_tag_naming_the_site() -> None:
    ld = _ld_author("Organization", "dpa")
    assert _authors(ld + "<meta name='author' content='Stadtkurier'>") == ["dpa"]


def test_a_meta_tag_naming_only_the_site_is_the_answer_when_nothing_else_is_credited() -> None:
    assert _authors(
        "<meta name='author' content='Stadtkurier'>", "<span class='byline'>Max Muster</span>"
    ) == ["Stadtkurier"]


def test_an_address_line_is_not_a_list_of_names() -> None:
    ld = _ld_author("Organization", "Redaktion Stadtkurier")
    head = ld + "<meta name='author' content='stadtkurier.de, Frankfurt, Germany'>"
    assert _authors(head) == ["Redaktion Stadtkurier"]


def test_a_publication_line_in_a_byline_box_is_not_a_name() -> None:
    body = "<p class='byline'>Veröffentlicht am 27.04.24 um 07:39 Uhr</p><span class='author'>Lea Wolf</span>"
    assert _authors("", body) == ["Lea Wolf"]


def test_an_organisation_named_by_its_domain_is_kept() -> None:
    assert _authors(_ld_author("Organization", "stadtkurier.de")) == ["stadtkurier.de"]


def test_the_name_in_an_author_box_not_its_brand_label_or_source_line() -> None:
    body = (
        "<p class='byline-source'>Quelle: sid/dpa</p>"
        "<div class='authors'><span class='authors__brand'>capital</span>"
        "<span class='authors__item'>von Jemima Kelly</span>"
        "<span class='authors__date'>05. November 2024 15:36 Uhr</span></div>"
    )
    assert _authors("", body) == ["Jemima Kelly"]


def test_the_date_written_first_under_the_headline_is_the_published_date() -> None:
    body = (
        "<h1>Interview nach den Angriffen</h1><div class='meta'>06.01.2026, Lesezeit 5 Min.</div>"
        + "<p>"
        + "Das Gespräch fand nach den Bombenanschlägen am 3. Januar 2026 statt. " * 3
        + "</p>"
    )
    event = extract_html(_page("", body), "https://www.stadtkurier.de/a/1", fetched=FETCHED)
    assert event.published is not None and event.published.startswith("2026-01-06")


def test_the_site_name_after_a_reporter_is_cut_and_posted_by_is_no_part_of_a_name() -> None:
    assert _authors(_ld_author("Person", "Anna Berg STADTKURIER")) == ["Anna Berg"]
    assert _authors("<meta name='author' content='Posted by Lea Wolf'>") == ["Lea Wolf"]
