"""Choosing trafilatura's body over ours by what its text holds, not only by how much prose it has."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from newswire.extract import extract_html
from newswire.extract._explain import explain_path
from newswire.extract._second_opinion import (
    SUPERSET_KEPT,
    adds_tail_of_lines,
    is_core_of,
    superset_kept_share,
)
from newswire.extract._strategy import _second_opinion_wins
from tests.support.harbour_story import SENTENCES, URL

FETCHED = "2026-12-04T12:00:00+00:00"

BOATS = [
    (
        "Northern Star",
        "1952",
        "A wooden trawler that fished the northern banks for forty years before the museum bought her",
    ),
    (
        "Maria Louise",
        "1961",
        "The last sailing cutter of the harbour, restored by volunteers over eleven winters",
    ),
    (
        "Storm Petrel",
        "1974",
        "A pilot boat that guided ships through the channel in every weather until the radar station opened",
    ),
    (
        "Good Hope",
        "1988",
        "A steel crabber, still working in summer, that takes visitors out to the seal banks",
    ),
]
ON_LOAN = [
    "Sea Swallow, a rowing lifeboat kept in the old boat house by the north pier",
    "Johanna, a motor barge that carried bricks from the works along the river",
    "Little Tern, a dinghy built by the harbour school in its first year of classes",
    "Three Brothers, a herring drifter that sank in the great storm and was raised",
    "Morning Light, a ferry that crossed to the island twice a day for thirty years",
    "Kestrel, the customs launch that patrolled the estuary between the two wars",
]


def _list_article() -> str:
    rows = "".join(f"<tr><td>{n}</td><td>{y}</td><td>{d}</td></tr>" for n, y, d in BOATS)
    return (
        "<html><head><title>Boats of the harbour museum</title></head><body><nav><a href='/'>Home</a></nav>"
        "<main><h1>Boats of the harbour museum</h1>"
        "<p>This list shows the boats kept by the harbour museum.</p>"
        f"<table><tr><th>Boat</th><th>Built</th><th>Story</th></tr>{rows}</table>"
        "<h2>Boats on loan to the museum</h2><ul>" + "".join(f"<li>{b}</li>" for b in ON_LOAN) + "</ul>"
        "</main></body></html>"
    )


def test_a_list_article_comes_out_whole_when_our_container_took_only_its_table() -> None:
    # A list article: a table of boats and a list of more boats under a subheading, in <main>.
    # Our container takes the table (its cells are the page's paragraph text) and leaves the list
    # out; trafilatura reads the whole article. Its prose score is not clearly higher (table rows
    # and list items do not end like sentences), but its body holds all of ours and adds text
    # the cleaned page shows unlinked: it is the better body.
    event = extract_html(_list_article().encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "trafilatura"
    assert all(story in event.body for _, _, story in BOATS)
    assert all(boat in event.body for boat in ON_LOAN)


def test_explain_says_why_the_second_opinion_won(tmp_path: Path) -> None:
    page = tmp_path / "boats.html"
    page.write_text(_list_article(), encoding="utf-8")
    report = explain_path(page, URL)
    assert "decision: trafilatura's body:" in report
    assert "unlinked text of the cleaned page" in report
    assert "result: method trafilatura" in report


def _cleaned(body: str) -> LexborHTMLParser:
    """A page as the cleaner leaves it: what it removed is simply not in it."""
    return LexborHTMLParser(f"<html><body>{body}</body></html>")


def test_text_a_second_opinion_adds_from_outside_the_cleaned_page_or_from_links_does_not_count() -> None:
    ours = SENTENCES[:3]
    comments = [
        f"Reader {i} wrote that the vote was a disgrace and the board should resign at once" for i in range(6)
    ]
    page = "".join(f"<p>{s}</p>" for s in ours)
    # Readers' comments the cleaner removed: not on the cleaned page.
    assert superset_kept_share(ours, ours + comments, _cleaned(page).body) == 0.0
    # A list of links the page shows: on the cleaned page, but linked.
    links = "".join(f"<li><a href='/c{i}'>{c}</a></li>" for i, c in enumerate(comments))
    assert superset_kept_share(ours, ours + comments, _cleaned(page + f"<ul>{links}</ul>").body) == 0.0
    # The same lines as unlinked list items: text of the article our container left out.
    items = "".join(f"<li>{c}</li>" for c in comments)
    kept = superset_kept_share(ours, ours + comments, _cleaned(page + f"<ul>{items}</ul>").body)
    assert kept is not None and kept >= SUPERSET_KEPT


def test_a_second_opinion_that_does_not_hold_our_body_or_adds_little_is_no_superset() -> None:
    page = _cleaned("".join(f"<p>{s}</p>" for s in SENTENCES)).body
    # Another region of the page: only one of our three paragraphs is in its body.
    assert superset_kept_share(SENTENCES[:3], [SENTENCES[0], *SENTENCES[3:]] * 2, page) is None
    # Ours plus a date line: longer, but nothing of substance added.
    assert superset_kept_share(SENTENCES[:1], [SENTENCES[0], "4 December 2026, 12:00"], page) is None


def test_a_densest_run_that_ran_on_into_readers_comments_gives_way_to_trafilaturas_story() -> None:
    # A short story and a long thread of readers' comments, prose too, with no heading to cut
    # them at. The container is unsure (the story is a tiny part of the page's words) and the
    # densest run, which ignores class names, keeps story and comments; trafilatura's body is
    # the story, a small part of that run that it holds.
    opinions = [
        "I have fished from this harbour for thirty years and the old quay was never the problem.",
        "Forty million is a lot of money for a town this size, and nobody says what a rate rise does.",
        "Good news at last. My father worked on the old quay and said it would not last another storm.",
        "The board should have asked the people who live on the waterfront before they voted.",
    ]
    comments = "".join(
        f"<div class='comment'><p>{opinions[i % 4]} Reply {i} from a reader who follows the story.</p></div>"
        for i in range(120)
    )
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    html = (
        "<html><head><title>Harbour plan approved</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Harbour plan approved</h1>{story}</article>"
        f"<section id='comments' class='comments'>{comments}</section></body></html>"
    )
    event = extract_html(html.encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "trafilatura"
    assert event.body.split("\n\n") == SENTENCES[:3]


FURNITURE = [
    "In short: the board said yes to the new quay, work starts in spring and an appeal is possible.",
    "This copy is for your personal, non-commercial use only. Distribution and use of this material are"
    " governed by our subscriber agreement and by copyright law.",
    "Related posts: the ferry adds a winter crossing; the market hall closes for repairs in February;"
    " the lighthouse opens for tours again.",
    "Disclaimer: the harbour newsletter has no affiliation with the port authority or the builders named"
    " on this page, and its writers own no shares in them.",
]


def test_a_container_one_box_too_wide_gives_way_to_the_article_trafilatura_read() -> None:
    # Our body is trafilatura's story with a summary box before it and legal lines, related posts
    # and a disclaimer after it: the furniture sits around the shared paragraphs.
    story = SENTENCES[:5]
    ours = [FURNITURE[0], *story, *FURNITURE[1:]]
    assert is_core_of(ours, story)


def test_text_ours_has_between_shared_paragraphs_is_article_text_trafilatura_dropped() -> None:
    # The same surplus, but in the middle of the story: trafilatura lost part of the article.
    story = SENTENCES[:5]
    ours = [*story[:2], *FURNITURE, *story[2:]]
    assert not is_core_of(ours, story)


def test_a_fragment_or_a_body_ours_does_not_hold_is_not_the_core() -> None:
    story = SENTENCES[:5]
    # Ours is ten times its words: trafilatura read a fragment of a long article.
    long_article = [*story, *(f"{s} Part {i} of the long report." for i in range(10) for s in SENTENCES)]
    assert not is_core_of(long_article, story)
    # Ours holds only two of its five paragraphs: another reading of the page.
    assert not is_core_of([*story[:2], *FURNITURE * 3], story)


def test_labels_alone_give_way_to_a_list_article_trafilatura_read() -> None:
    # The article sat where our walk never looks (a page-wide <header>), so ours is a box's labels.
    # Trafilatura's body is a list article, short lines more than prose, so its prose score is not
    # above ours; it still wins, since ours holds no sentence at all.
    labels = ["Related articles", "4 min read", "Marketing"]
    article = [SENTENCES[0], *ON_LOAN]
    assert _second_opinion_wins(labels, article, "container", _cleaned("")).startswith("it wins")
    assert _second_opinion_wins([*labels, SENTENCES[1]], article, "container", _cleaned("")) == ""


def test_trafilaturas_reading_without_the_articles_table_does_not_win_on_prose_alone() -> None:
    # Our body is the story with its table of berths between two of its paragraphs; trafilatura's
    # is the same story without the table. Its prose score is better only because table rows are
    # not sentences: ours stays.
    rows = [
        f"Berth {n} | {n * 4 + 8} metres | {n * 5 + 30} euros a night | open all year" for n in range(1, 13)
    ]
    story = SENTENCES[:5]
    assert _second_opinion_wins([*story[:2], *rows, *story[2:]], story, "container", _cleaned("")) == ""
    # The same lines after the story are furniture around it (a list of prices of another page):
    # trafilatura's reading of the story wins on prose.
    assert _second_opinion_wins([*story, *rows], story, "container", _cleaned("")).startswith("it wins")


# What a page with no class names shows under its article: the blog's archive, links to the next
# and previous posts, a shop's books with their prices, the site's footer.
TAIL = [
    "This page holds a single entry by Jo published on December 4, 2026",
    "The ferry timetable was the previous entry in this blog.",
    "Find us on the harbour app",
    *(f"{year}: Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec" for year in range(2026, 2019, -1)),
    "by Anna Berg £9.59",
    "by Tom Vik £12.00",
    "Home | About | Contact | Privacy",
    "© 2026 Harbour News. All rights reserved.",
]


def test_trafilaturas_body_that_is_our_story_and_the_page_furniture_under_it_does_not_win() -> None:
    # With no class names to mark the furniture, trafilatura's reading runs on from the story into
    # the lines under it. Its body holds all of ours and adds unlinked text of the page, which the
    # criterion for a list article our container cut would take: what it adds is lines that are
    # not prose, after the story, and ours is prose, so ours stays.
    story = SENTENCES[:4]
    page = _cleaned("".join(f"<p>{line}</p>" for line in [*story, *TAIL]))
    assert adds_tail_of_lines(story, [*story, *TAIL])
    assert _second_opinion_wins(story, [*story, *TAIL], "container", page) == ""
    # A menu drawn between bars is one row, not a table the article shows.
    assert adds_tail_of_lines(story, [*story, *TAIL[:-1], "| Home | About | Contact |", TAIL[-1]])
    # Lines that stand between the story's paragraphs are not a tail under it.
    assert not adds_tail_of_lines(story, [*story[:2], *TAIL[:-2], *story[2:], *TAIL[-2:]])


def test_trafilaturas_body_that_adds_the_rest_of_the_article_still_wins() -> None:
    # The rest of a story our container cut is prose: trafilatura's body wins on it.
    assert not adds_tail_of_lines(SENTENCES[:2], SENTENCES)
    assert _second_opinion_wins(SENTENCES[:2], SENTENCES, "container", _cleaned("")).startswith("it wins")
    # Lines before our story are not the tail under it (a standfirst, a summary box).
    assert not adds_tail_of_lines(SENTENCES[:4], [*TAIL, *SENTENCES[:4]])
    # A list article our container cut to its first block: ours is no prose either, and the list
    # trafilatura adds is the article's (test_a_list_article_comes_out_whole_... above).
    assert not adds_tail_of_lines(ON_LOAN[:2], [*ON_LOAN, *TAIL])
    # A story's table our container cut (a statistic's figures, a recipe's nutrition), which
    # trafilatura writes as rows between bars: the article's data, not furniture.
    rows = ["| Boat | Built |", "|---|---|", *(f"| {name} | {year} |" for name, year, _ in BOATS)]
    assert not adds_tail_of_lines(SENTENCES[:2], [*SENTENCES[:2], *rows])
