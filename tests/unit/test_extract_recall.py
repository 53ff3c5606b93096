"""Body extraction keeps short article text that looks like page furniture: each test is one mechanism."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.events import ArticleEvent
from newswire.extract import extract_html
from newswire.extract._clean import clean_tree
from newswire.extract._container import choose_container
from newswire.extract._nodes import text_of
from tests.support.harbour_story import SENTENCES as STORY
from tests.support.harbour_story import URL

# The story without its spring-works and appeal sentences.
SENTENCES = [*STORY[:3], STORY[4]]


def _body(article: str) -> list[str]:
    head = "<head><title>Harbour plan approved</title></head>"
    html = f"<html>{head}<body><article>{article}</article></body></html>"
    return extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00").body.split("\n\n")


def test_a_short_sentence_with_a_date_is_article_text_and_a_date_stamp_is_not() -> None:
    dated = "Work on the quay starts on Monday, March 2, 2026."
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    body = _body(
        f"<p>Published on December 4, 2026</p>{paragraphs}<p>{dated}</p><p>Updated: 04.12.2026, 13:05 Uhr</p>"
    )
    assert body == [*SENTENCES, dated]


def test_two_sentences_that_open_like_a_date_stamp_are_article_text() -> None:
    # German sentences open with "Am <date>" as stamps do ("Am 04.12.2026 um 13:05"); a line of two
    # sentences is text all the same.
    birthday = "Am 5. November 2026 wird sie 100 Jahre alt. Herzlichen Glückwunsch."
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    body = _body(f"{paragraphs}<p>{birthday}</p><p>Am 04.12.2026 um 13:05 Uhr</p>")
    assert body == [*SENTENCES, birthday]


def test_comments_in_highlighted_code_are_code_not_readers_comments() -> None:
    # Syntax highlighters class a code comment "hljs-comment" or "token comment".
    code = (
        '<pre><code class="language-bash">git add . '
        '<span class="hljs-comment"># stage every changed file</span>\n'
        'git commit <span class="token comment"># record them</span></code></pre>'
    )
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    body = _body(f'{paragraphs}{code}<div class="comments"><p>{SENTENCES[0]} Great post!</p></div>')
    assert body[:-1] == SENTENCES
    assert "# stage every changed file" in body[-1] and "# record them" in body[-1]


def test_a_body_much_smaller_than_the_declared_article_gets_the_second_opinion() -> None:
    # The story's paragraphs win the container, but the <article> goes on with a list of the
    # plan's points in another box: the body is a sub-block of what the page declares its article.
    points = [
        "The quay will be two hundred metres long, twice the old one, with room for six of the larger"
        " trawlers at once.",
        "A new ice plant and a fuel berth are part of the plan, so boats no longer need to sail to the"
        " next town to refuel.",
        "The old quay stays open until the new one is finished, and then it will be rebuilt as a walkway"
        " for visitors.",
        "The board will publish the contracts for the works in January and choose the builders before the"
        " end of March.",
    ]
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
    facts = "<h2>What the plan holds</h2><ul>" + "".join(f"<li>{s}</li>" for s in points) + "</ul>"
    html = (
        "<html><head><title>Harbour plan approved</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Harbour plan approved</h1><div class='story'>{story}</div>"
        f"<div class='facts'>{facts}</div></article></body></html>"
    )
    event = extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00")
    assert event.extraction is not None and event.extraction.method == "trafilatura"
    body = event.body
    assert all(s in body for s in SENTENCES[:2]) and all(p in body for p in points)


def test_a_page_of_short_items_the_container_finds_nothing_in_gets_trafilaturas_text() -> None:
    # Briefs under headings, each shorter than a paragraph: no container, no prose, but a reader
    # sees every line; the second opinion's text beats the largest single block.
    briefs = [
        ("Quay vote passes", "Board says yes."),
        ("Ferry times change", "Earlier in winter."),
        ("Fish market moves", "Now on pier two."),
        ("Storm warning lifted", "Boats may sail."),
        ("New harbour master", "Starts in May."),
        ("Pier repairs done", "Open from Monday."),
        ("Lighthouse tours", "Every Sunday."),
        ("Regatta dates set", "Late in August."),
    ]
    items = "".join(f"<h3>{h}</h3><p>{t}</p>" for h, t in briefs)
    body = _body(f"<h1>Harbour briefs</h1>{items}")
    assert body == [line for brief in briefs for line in brief]


def test_subheadings_that_link_to_their_own_section_are_kept() -> None:
    # Blogs and docs make each subheading a link to its own anchor (a permalink, "¶").
    headings = ["What the board decided", "What happens next"]
    html = (
        f'<h2 id="decided"><a href="#decided">{headings[0]}</a></h2>'
        f"<p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p>"
        f'<h2 id="next"><a href="#next">{headings[1]}</a></h2>'
        f"<p>{SENTENCES[2]}</p><p>{SENTENCES[3]}</p>"
    )
    assert _body(html) == [headings[0], *SENTENCES[:2], headings[1], *SENTENCES[2:]]


def test_a_listicles_linked_item_titles_are_kept_and_a_teasers_are_not() -> None:
    # Guides link each item's title to the place it names; the title heads a paragraph of the
    # article. A teaser's linked title heads a line, or nothing.
    names = ["Harbour museum", "Old lighthouse", "Fish market"]
    texts = [f"{STORY[i]} {STORY[i + 3]}" for i in range(3)]
    listicle = "".join(
        f'<h2>{i}. <a href="https://places.example/{i}">{name}</a></h2><p>{text}</p>'
        for i, (name, text) in enumerate(zip(names, texts, strict=True), 1)
    )
    teasers = "".join(
        f'<h3><a href="/2026/other-{i}">Other story {i}</a></h3><p>A short line.</p>' for i in range(2)
    )
    body = _body(f"{listicle}{teasers}")
    titles = [f"{i}. {name}" for i, name in enumerate(names, 1)]
    assert body[:6] == [line for pair in zip(titles, texts, strict=True) for line in pair]
    assert "Other story" not in " ".join(body)


def test_named_words_inside_a_sentence_stay_with_it() -> None:
    # A wire story's dateline and a linked keyword sit in the paragraph's first sentence, marked
    # up with names cleaning drops as boxes ("dateline", "tag"); inside running text they are words.
    first = (
        '<p><span class="dateline">PORTSMOUTH – </span>The <a class="tag" href="/tag/harbour">harbour</a>'
        " board approved the plan on Tuesday after a debate that lasted most of the afternoon.</p>"
    )
    share = '<p><span class="share">Share</span></p>'
    body = _body(first + "".join(f"<p>{s}</p>" for s in STORY[1:]) + share)
    assert body[0] == (
        "PORTSMOUTH – The harbour board approved the plan on Tuesday after a debate that lasted most of "
        "the afternoon."
    )
    assert "Share" not in body


def test_a_class_naming_a_layout_state_is_not_a_box_name() -> None:
    # Themes and page builders mark a box by what the page around it has ("has-sidebar",
    # "with-navbar"); the box itself is article text. A box named "sidebar" still goes.
    fees = (
        "<h2>What the berths cost</h2>"
        "<ul><li>Day berth: 40 euros</li><li>Week berth: 200 euros</li><li>Winter berth: 900 euros</li></ul>"
    )
    before = "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
    after = "".join(f"<p>{s}</p>" for s in SENTENCES[2:])
    lines = ["What the berths cost", "Day berth: 40 euros", "Week berth: 200 euros"]
    lines.append("Winter berth: 900 euros")
    for state in ("content has-sidebar", "panel with-navbar"):
        body = _body(f"{before}<div class='{state}'>{fees}</div>{after}")
        assert body == [*SENTENCES[:2], *lines, *SENTENCES[2:]]
    assert _body(f"{before}<div class='sidebar'>{fees}</div>{after}") == SENTENCES


def test_a_long_run_of_short_lines_at_the_end_is_a_list_not_labels() -> None:
    # Labels left at the very end ("Share this:", "Tags") go; the article's own list there
    # (a recipe's ingredients, a table's rows) is ten or more short lines in a row, and stays.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    items = [f"{n} crates of harbour fish" for n in range(2, 14)]
    listing = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    body = _body(f"{story}<p>What the boats landed</p>{listing}")
    assert body == [*SENTENCES, "What the boats landed", *items]
    assert _body(f"{story}<p>Share this story</p><p>Filed under harbour news</p>") == SENTENCES


def test_an_article_that_ends_with_a_list_keeps_its_last_short_items() -> None:
    # A how-to's steps end with commands, and a data table's last rows are numbers: short lines with
    # no sentence end, as labels are, but they go on a list or table begun above them, among the
    # article's text; a command in <pre> is the article's however short. The label after the list
    # still goes.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    first = "Open a terminal on the harbour office's server and update its package index first."
    commands = ["sudo apt install tidewatch", "tidewatch --init --port harbour"]
    steps = f"<ol><li>{first}</li>" + "".join(f"<li>{c}</li>" for c in commands) + "</ol>"
    body = _body(f"{story}{steps}<p>Share this story</p>")
    assert body == [*SENTENCES, first, *commands]
    shell = "".join(f"<pre>{c}</pre>" for c in commands)
    assert _body(f"{story}<p>Install it with:</p>{shell}") == [*SENTENCES, "Install it with:", *commands]
    rows = [("North pier", "Twelve berths, rebuilt after the winter storm.", "40"), ("South pier", "8", "35")]
    rows.append(("East pier", "6", "30"))
    table = (
        "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
    )
    intro = "The harbour board published the berths each pier offers and the fee for one night, in euros."
    cells = [cell for row in rows for cell in row]
    assert _body(f"{story}<p>{intro}</p>{table}") == [*SENTENCES, intro, *cells]


def test_labels_and_a_list_opened_after_the_articles_end_still_go() -> None:
    # "Related:" and the short lines of a list that begins below it are the page's, not the
    # article's: no list of the article goes on into them. A layout table (one row around the
    # article's column) is no list either: the label at the end of its cell goes.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    related = "<p>Related:</p><ul><li>Harbour fees rise again</li><li>A new ferry to the islands</li></ul>"
    assert _body(f"{story}{related}") == SENTENCES
    rest = "".join(f"<p>{s}</p>" for s in SENTENCES[1:])
    layout = f"<p>{SENTENCES[0]}</p><table><tr><td>{rest}<p>Share this story</p><p>Tags</p></td></tr></table>"
    assert _body(layout) == SENTENCES


def _element(inner: str) -> str:
    """A page builder's content element: each one wrapped in the same boxes (outer > container > row)."""
    return f'<div class="outer ce"><div class="container"><div class="row">{inner}</div></div></div>'


# A strip of photo captions: its noise makes the article's column lose to its largest element.
_CAPTIONS = "".join(f"<div>Photo {i} of 40: the quay</div>" for i in range(40))


def _builder_page(column: str, beside: str = "") -> tuple[list[LexborNode], ArticleEvent]:
    """The siblings that join the winning container of a page whose article column is ``column``
    (with ``beside`` next to it), and the page's article event."""
    html = (
        "<html><head><title>Harbour plan approved</title></head><body>"
        f"<div class='page'><div class='main-column'>{column}</div>{beside}</div></body></html>"
    )
    tree = LexborHTMLParser(html)
    clean_tree(tree)
    assert tree.body is not None
    siblings = choose_container(tree.body).siblings
    return siblings, extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00")


def test_a_page_builders_content_elements_around_the_winner_join_it() -> None:
    # The article's elements are siblings of the outermost wrapper, not of the winning row, and
    # the caption strip between them makes their column lose to the largest element.
    tips = " ".join(["Our harbour guide has tips for visitors."] * 3)
    sidebar = f"<div class='side-column'><p>{tips}</p></div>"
    column = _element(f"<p>{STORY[0]}</p><p>{STORY[1]}</p>") + _element(_CAPTIONS)
    column += _element("".join(f"<p>{s}</p>" for s in STORY[2:]))
    siblings, event = _builder_page(column, sidebar)
    assert len(siblings) == 1 and text_of(siblings[0]).startswith(STORY[0])
    assert event.body.split("\n\n") == STORY
    assert event.extraction is not None and event.extraction.method == "container"


def test_the_articles_opening_paragraph_in_a_page_builders_element_of_its_own_joins_it() -> None:
    # The first paragraph sits in a content element of its own, too short to join by its share of
    # the article's text; the element before it, with the headline, is the article's header. The
    # caption strip after the article makes the column lose to the largest element.
    more = [
        "The board will publish the contracts for the works in January and choose the builders soon.",
        "Boat owners can apply for a berth on the new quay from the first of March, the port said.",
    ]
    rest = "".join(f"<p>{s}</p>" for s in [*STORY[1:], *more])
    column = _element("<h2>Harbour plan approved</h2><p>By Jane Doe</p>")
    column += _element(f"<p>{STORY[0]}</p>") + _element(rest) + _element(_CAPTIONS)
    siblings, event = _builder_page(column)
    assert len(siblings) == 1 and text_of(siblings[0]) == STORY[0]
    assert event.body.split("\n\n") == [*STORY, *more]


def test_a_named_heading_between_the_articles_paragraphs_is_a_subheading() -> None:
    # Page builders name every heading block with words that sound like boilerplate ("kt-adv-heading"
    # reads as "adv", "widget-title"); between two paragraphs of the article it is the article's
    # subheading. The same name on a heading after the article's last paragraph still goes, and so
    # does a named box between paragraphs that is not a heading (an ad slot's label).
    paragraphs = [" ".join(STORY[n : n + 2]) for n in range(0, 6, 2)]
    before, after = f"<p>{paragraphs[0]}</p>", "".join(f"<p>{p}</p>" for p in paragraphs[1:])
    for name in ("kt-adv-heading12_ab34", "widget-title"):
        body = _body(f"{before}<h2 class='{name}'>What the quay will cost</h2>{after}")
        assert body == [paragraphs[0], "What the quay will cost", *paragraphs[1:]]
        tail = _body(f"{before}{after}<h2 class='{name}'>More from the harbour</h2><p>Tide tables</p>")
        assert tail == paragraphs
    ad = _body(f"{before}<div class='ad-slot'>Story continues below advertisement</div>{after}")
    assert ad == paragraphs


def test_a_list_article_in_a_box_named_for_the_layout_is_found() -> None:
    # A blog's page wrapper carries the theme's state classes ("one-sidebar sidebar-first"); a post
    # of short lines (a playlist) has no long paragraphs to spare it from its name, so the first
    # cleaning removes the whole page and the densest run keeps only the opening paragraph.
    intro = (
        "The evenings are drawing in along the harbour, and the fishing boats come home before the"
        " lamps are lit on the quay. These are the songs we played in the office this week while the"
        " rain came sideways off the water and the ferry sat at its moorings all afternoon."
    )
    tracks = [
        "1. Quay Lights - The Harbour Band",
        "2. Slow Tide - Marta Lind",
        "3. Nets at Dusk - The Gulls",
        "4. Lighthouse Road - Amal Hart",
        "5. Low Water - Second Pier",
        "6. Salt and Rope - The Moorings",
        "7. Last Ferry Home - June Ellis",
        "8. Winter Mooring - Harbour Choir",
    ]
    outro = "Put the kettle on, open the window a crack and let the sea do the rest of the singing tonight."
    lines = "".join(f"<p><strong>{t}</strong></p>" for t in tracks)
    html = (
        "<html><head><title>An evening playlist for the harbour</title></head><body>"
        '<div id="page" class="one-sidebar sidebar-first">'
        '<div id="header"><a href="/">Harbour Notes</a></div>'
        f'<div id="main"><h1 class="title">An evening playlist for the harbour</h1><p>{intro}</p>{lines}'
        f"<p>{outro}</p></div></div></body></html>"
    )
    body = extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00").body.split("\n\n")
    assert body == [intro, *tracks, outro]


def test_boxes_named_like_a_block_that_holds_the_article_are_article_text() -> None:
    # A buying guide names every product's box "c-product-widget": the box with two long paragraphs
    # is spared by its text, and so must be its sibling with one, and each box's name line
    # ("c-product-widget__name"); a list of links named so beside them still goes.
    long_a = (
        "The Tidewater kettle boils a full litre in under three minutes, and its spout pours cleanly"
        " even when the jug is nearly empty, which is more than most kettles we tested could manage."
    )
    long_b = (
        "Its handle stays cool through a dozen boils in a row, and the lid opens wide enough to clean"
        " the scale from the element with a cloth, a small thing that matters after a winter of use."
    )
    long_c = (
        "The Quayside toaster browns both sides of a thick slice evenly, and its crumb tray slides out"
        " from the front, so it can sit against the wall of a narrow galley kitchen without trouble."
    )
    intro = (
        "We spent the winter cooking in a harbour cottage with a tiny kitchen, and these are the small"
        " appliances that earned their place on the counter by the time the ferries ran again in spring."
    )
    html = (
        "<html><head><title>The best small appliances of the year</title></head><body><main>"
        "<h1>The best small appliances of the year</h1>"
        f"<div class='guide'><p>{intro}</p>"
        "<div class='c-product-widget c-product-widget--big'>"
        "<div class='c-product-widget__name'>Tidewater Kettle</div>"
        f"<p>{long_a}</p><p>{long_b}</p></div>"
        "<div class='c-product-widget c-product-widget--big'>"
        "<div class='c-product-widget__name'>Quayside Toaster</div>"
        f"<p>{long_c}</p></div>"
        "<div class='c-product-widget c-product-widget--links'>"
        "<a href='/a'>More kettles</a> <a href='/b'>More toasters</a> <a href='/c'>All guides</a></div>"
        f"<p>{intro}</p></div></main></body></html>"
    )
    body = extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00").body
    assert long_c in body and "Tidewater Kettle" in body and "Quayside Toaster" in body
    assert "More kettles" not in body


def test_a_wordy_widget_in_a_named_sidebar_vouches_for_no_other_widget() -> None:
    # A sidebar ("sidebar widget-area") whose "about" widget holds two long paragraphs stays by its
    # text, but its other widgets are the sidebar's furniture, not blocks of the article.
    about = (
        "Harbour Notes is written from a small office above the chandlery on the east quay, where the"
        " windows rattle whenever the ferry comes in and the kettle is never quite cold all day long."
    )
    html = (
        "<html><body><div class='sidebar widget-area'>"
        f"<div class='widget widget_text'><p>{about}</p><p>{about}</p></div>"
        "<div class='widget widget_text'><p>Join us at the harbour gala on Friday night.</p></div>"
        "</div></body></html>"
    )
    tree = LexborHTMLParser(html)
    clean_tree(tree)
    assert tree.body is not None
    text = text_of(tree.body)
    assert about in text and "harbour gala" not in text


def test_a_list_with_pictures_and_no_links_is_article_text_and_a_teaser_list_is_not() -> None:
    # A teaser list carries pictures beside its links; bullet points of the article may carry an
    # icon or a floated picture and link nowhere.
    points = [
        "The quay gets a new ice plant.",
        "Boats refuel at a berth of their own.",
        "The old quay becomes a walk.",
    ]
    icons = "<ul>" + "".join(f"<li><img src='/tick.png' alt=''>{point}</li>" for point in points) + "</ul>"
    teasers = (
        "<ul>"
        + "".join(
            f"<li><img src='/t{n}.jpg' alt=''><a href='/2026/12/0{n}/story'>Other story number {n}</a></li>"
            for n in range(1, 4)
        )
        + "</ul>"
    )
    paragraphs = [f"<p>{s}</p>" for s in SENTENCES]
    body = _body("".join(paragraphs[:2]) + icons + "".join(paragraphs[2:]) + teasers)
    assert all(point in body for point in points)
    assert not any("Other story" in line for line in body)


def test_a_code_block_holding_a_date_is_article_text() -> None:
    # A changelog or a JSON sample in <pre> is a few short lines with a date; the date-stamp test is
    # for a post's "Published on ..." line, not for preformatted text.
    code = "<pre><code>2026-12-04:\n    quay: add berth seven (fixed)\n</code></pre>"
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    body = _body(f"{paragraphs[: len(paragraphs) // 2]}{code}{paragraphs[len(paragraphs) // 2 :]}")
    assert any("add berth seven" in line for line in body)
