"""The walk keeps the article's lines inside the chosen box: each test is one mechanism."""

from __future__ import annotations

from pathlib import Path

from newswire.extract import extract_html
from newswire.extract._explain import explain_path
from tests.support.harbour_story import SENTENCES, URL


def topic(name: str) -> str:
    """A name linked to its topic page, as publishers link places, people and topics in a sentence."""
    return f"<a href='/topics/{name.lower().replace(' ', '-')}'>{name}</a>"


def _body(article: str) -> list[str]:
    head = "<head><title>Harbour plan approved</title></head>"
    html = f"<html>{head}<body><article>{article}</article></body></html>"
    return extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00").body.split("\n\n")


def test_a_mathml_formula_is_not_walked_token_by_token() -> None:
    # MathJax keeps a formula's MathML beside its rendering: <mi>, <mo> and <mn> hold one symbol each.
    formula = (
        "<div class='formula'><math display='block'><mi>x</mi><mo>=</mo><mn>2</mn>"
        "<mo>+</mo><mi>y</mi></math></div>"
    )
    before = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    after = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    assert _body(f"<div>{before}{formula}{after}</div>") == SENTENCES


def test_a_list_item_that_links_most_of_its_words_stays_like_a_paragraph() -> None:
    # A bullet of the article that links a title it names: running text, as in a paragraph.
    points = [
        "The quay will be two hundred metres longer than the old one and take boats of any size.",
        "The board will publish the full plan and the vote on its website next week.",
        "Background: <a href='/2025/06/01/quay'>the harbour board's first vote on the quay</a>",
    ]
    items = "<ul>" + "".join(f"<li>{p}</li>" for p in points) + "</ul>"
    before = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    after = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    assert _body(f"<div>{before}{items}{after}</div>") == [
        *SENTENCES[:3],
        points[0],
        points[1],
        "Background: the harbour board's first vote on the quay",
        *SENTENCES[3:],
    ]


def test_a_date_column_of_a_data_table_stays_and_a_lone_stamp_cell_goes() -> None:
    # Dates in a row beside their figures are the table's data; a layout table's cell that holds
    # only the post's date is its stamp.
    rows = [("1/1/2024", "+5.3%"), ("2/1/2024", "+6.6%"), ("3/1/2024", "+4.9%")]
    data = "<table>" + "".join(f"<tr><td>{d}</td><td>{v}</td></tr>" for d, v in rows) + "</table>"
    stamp = "<table><tr><td>August 9, 2025</td></tr></table>"
    before = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    after = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    assert _body(f"<div>{stamp}{before}{data}{after}</div>") == [
        *SENTENCES[:3],
        *[cell for row in rows for cell in row],
        *SENTENCES[3:],
    ]


def test_a_quote_in_a_figure_stays_and_a_pull_quote_repeating_the_article_goes() -> None:
    # WordPress wraps a quote block in <figure>; a pull quote repeats a line of the article.
    quote = "Nobody on the board wanted to be the one who said no to a safer harbour for the fleet."
    own = f"<figure class='wp-block-quote'><blockquote><p>{quote}</p></blockquote></figure>"
    pull = f"<figure class='pullquote'><blockquote><p>{SENTENCES[1]}</p></blockquote></figure>"
    before = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    after = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    assert _body(f"<div>{before}{own}{pull}{after}</div>") == [*SENTENCES[:3], quote, *SENTENCES[3:]]


def test_explain_lists_what_the_walk_and_cleaning_kept_against_a_rule(tmp_path: Path) -> None:
    quote = "Nobody on the board wanted to be the one who said no to a safer harbour for the fleet."
    article = (
        f"<p>{SENTENCES[0]}</p><h2 id='share-of-the-costs'>Share of the costs</h2><p>{SENTENCES[1]}</p>"
        f"<figure><blockquote><p>{quote}</p></blockquote></figure>"
        "<table>" + "".join(f"<tr><td>{m}/1/2024</td><td>+{m}%</td></tr>" for m in (1, 2, 3)) + "</table>"
        f"<p>{SENTENCES[2]}</p><h3 class='comments-title'>2 Comments</h3>"
    )
    page = tmp_path / "kept.html"
    page.write_text(f"<html><body><article><div>{article}</div></article></body></html>", encoding="utf-8")
    report = explain_path(page, URL)
    assert "kept a quote the page shows once, in a <figure>: 'Nobody on the board" in report
    assert "kept a heading whose id is its own words (a section anchor): 'Share of the costs'" in report
    assert "kept a comment section's heading, where tidy ends the article: '2 Comments'" in report
    assert "kept a date in a data table's row: '1/1/2024'" in report


def test_a_line_break_inside_a_paragraph_or_code_block_separates_its_words() -> None:
    # Addresses, schedules and code are written as lines in one <p> or <pre>: the text nodes meet
    # at the <br> with no space between them, and the last word of a line must not run into the
    # first of the next.
    schedule = "Monday: the quay closes<br>Tuesday: divers inspect the piles<br>Wednesday: it opens again"
    code = "import harbour<br>harbour.open_quay()"
    before = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    after = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    assert _body(f"<div>{before}<p>{schedule}</p><pre>{code}</pre>{after}</div>") == [
        *SENTENCES[:3],
        "Monday: the quay closes Tuesday: divers inspect the piles Wednesday: it opens again",
        "import harbour harbour.open_quay()",
        *SENTENCES[3:],
    ]


def test_a_link_wrapping_a_card_is_skipped_and_one_wrapping_a_subheading_is_the_heading() -> None:
    # Card layouts put a whole teaser inside one <a>: a label, a title and a summary in <div>s. Their
    # text runs hold no link of their own, so the walk read them as the article's. A link around a
    # subheading alone (an anchor to its own section) is the article's heading.
    card = (
        "<a href='/2026/12/01/ferry-timetable'><div>Next story</div>"
        "<div>Ferry timetable changes for the winter season</div>"
        "<div>The island ferry will sail twice a day from January, the operator said.</div></a>"
    )
    heading = "<a href='/2026/12/04/harbour-plan#the-vote'><h2>The vote</h2></a>"
    before = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    after = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    assert _body(f"<div>{before}{heading}{after}{card}</div>") == [*SENTENCES[:3], "The vote", *SENTENCES[3:]]


_STEPS = [
    ("Check the tide table", "Boats leave the new quay only at high water, so plan the trip around it."),
    ("Book a berth", "The harbour office takes bookings by phone from eight in the morning."),
    ("Pay the fee", "Day berths are paid at the kiosk by the slipway, in cash or by card."),
]


def test_a_series_of_short_articles_is_a_guides_steps_and_a_lone_one_an_insert() -> None:
    # A guide marks each step as an <article>: a heading that links nowhere over a short
    # paragraph. Three or more such siblings are the article's items, not teaser cards.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    steps = "".join(f"<article><h3>{title}</h3><p>{text}</p></article>" for title, text in _STEPS)
    lines = [line for step in _STEPS for line in step]
    assert _body(f"<div>{story}</div><div>{steps}</div>") == [*SENTENCES, *lines]
    # One such box beside the story is an insert (a disclaimer, an info box) and stays out.
    note = "<h3>Please note</h3><p>Berth prices may change without notice during the works.</p>"
    note = f"<article>{note}</article>"
    assert _body(f"<div>{story}</div>{note}") == SENTENCES


def _split_story(boxes: str) -> list[str]:
    head = "<head><title>Harbour plan approved</title></head>"
    html = f"<html>{head}<body><div id='story'>{boxes}</div></body></html>"
    return extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00").body.split("\n\n")


def test_a_short_article_holding_the_storys_opening_before_a_side_rail_stays() -> None:
    # A publisher splits the story into two <article>s around a side rail: the first holds the
    # opening paragraph and no heading, so it is the story's start, not a teaser card, though
    # it is short beside the rest.
    opening = f"{SENTENCES[0]} {SENTENCES[1]}"
    rest = [f"{SENTENCES[i]} {SENTENCES[(i + 1) % 6]}" for i in range(2, 6)]
    rest += [f"{SENTENCES[i]} {SENTENCES[(i + 3) % 6]}" for i in range(2, 5)]
    rail = "<div class='side-rail'><a href='/comments'>Comments</a></div>"
    story = "<article>" + "".join(f"<p>{s}</p>" for s in rest) + "</article>"
    first = f"<article><p>{opening}</p></article>"
    assert _split_story(first + rail + story) == [opening, *rest]
    # The same box under a headline of its own is another story's teaser and stays out.
    teaser = f"<article><h3><a href='/2026/12/03/ferry'>Ferry fares rise</a></h3><p>{opening}</p></article>"
    assert _split_story(teaser + rail + story) == rest


def test_a_list_of_references_with_printed_addresses_is_article_text() -> None:
    # A reference's source written out as its own address is text the reader sees (a citation),
    # not a link to another page of the site; a list of linked titles is still a link list.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    sources = [
        ("Harbour board (2026). Minutes of the December meeting.", "https://harbour.example/minutes"),
        ("Port authority (2025). Quay safety report.", "https://port.example/reports/quay"),
    ]
    refs = "".join(f"<li>{text} <a href='{url}'>{url}</a></li>" for text, url in sources)
    body = _body(f"<div>{story}<h2>References</h2><ol>{refs}</ol></div>")
    assert body == [*SENTENCES, "References", *(f"{text} {url}" for text, url in sources)]
    titles = "".join(f"<li><a href='{url}'>{text}</a> (2026)</li>" for text, url in sources)
    assert _body(f"<div>{story}<ul>{titles}</ul></div>") == SENTENCES


def test_a_line_break_or_a_block_inside_a_paragraph_parts_the_words_on_either_side() -> None:
    # Editors write "Berths<br>Day berth: 40 euros" with no space: the break is what parts the
    # lines, and the words on either side are two words, not one.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    fees = "<p>What the berths cost:<br>Day berth: 40 euros<br>Week berth: 200 euros</p>"
    body = _body(f"<div>{story}{fees}</div>")
    assert body == [*SENTENCES, "What the berths cost: Day berth: 40 euros Week berth: 200 euros"]
    # So does a block inside the block: a list item written as two paragraphs.
    items = "<ul><li><p>Day berth:</p><p>40 euros</p></li><li><p>Week berth:</p><p>200 euros</p></li></ul>"
    body = _body(f"<div>{story}{items}<p>{SENTENCES[0]}</p></div>")
    assert body == [*SENTENCES, "Day berth: 40 euros", "Week berth: 200 euros", SENTENCES[0]]
    # And a break inside an inline element of a text run (rich-text editors wrap lines in <span>s).
    run = "<div>What the berths cost: <span>Day berth: 40 euros<br>Week berth: 200 euros</span></div>"
    body = _body(f"<div>{story}{run}<p>{SENTENCES[0]}</p></div>")
    assert body == [
        *SENTENCES,
        "What the berths cost: Day berth: 40 euros Week berth: 200 euros",
        SENTENCES[0],
    ]


def test_a_list_of_linked_picks_each_described_is_article_text() -> None:
    # A guide links each thing it recommends and says what it thinks of it: the list is mostly
    # links by characters, but every item carries the writer's own words beside its link.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    picks = [
        ("Harbour Rope Company mooring lines", "(the ones the harbour master uses on the old quay)"),
        ("Northern Chandlery steel bollard caps", "(sturdy, and they do not rust in the winter storms)"),
        ("Quayside Marine fender boards", "(cheaper than most, though they need paint every year)"),
    ]
    items = "".join(
        f"<li><a href='https://shop.example/{i}'>{name}</a> {note}</li>"
        for i, (name, note) in enumerate(picks)
    )
    body = _body(f"<div>{story}<ul>{items}</ul><p>{SENTENCES[0]}</p></div>")
    assert body == [*SENTENCES, *(f"{name} {note}" for name, note in picks), SENTENCES[0]]
    # A list of links to read next, a title and a date each, is still a link list.
    reads = "".join(
        f"<li><a href='/2026/0{i + 1}/01/story'>{name}</a> (May 2026)</li>"
        for i, (name, _) in enumerate(picks)
    )
    assert _body(f"<div>{story}<ul>{reads}</ul><p>{SENTENCES[0]}</p></div>") == [*SENTENCES, SENTENCES[0]]


def test_an_h1_between_the_articles_paragraphs_is_a_sections_heading() -> None:
    # Blog and Markdown editors write each section's heading as an <h1>: below the article's first
    # paragraphs, with running text on both sides, it is a subheading, not a headline.
    paras = [f"{SENTENCES[i]} {SENTENCES[i + 1]}" for i in (0, 2, 4)]
    story = (
        f"<h1>Harbour plan approved</h1><p>{paras[0]}</p><h1>What the board decided</h1>"
        f"<p>{paras[1]}</p><h1>What comes next</h1><p>{paras[2]}</p>"
    )
    assert _body(f"<div>{story}</div>") == [
        paras[0],
        "What the board decided",
        paras[1],
        "What comes next",
        paras[2],
    ]
    # A box after the article that opens with its own <h1> (a call for support) has no article text
    # before its heading: the heading is the box's, not a section's.
    appeal = f"<div><h1>Support the Harbour Gazette</h1><p>{paras[2]}</p></div>"
    body = _body(f"<div><h1>Harbour plan approved</h1><p>{paras[0]}</p><p>{paras[1]}</p>{appeal}</div>")
    assert "Support the Harbour Gazette" not in body


def test_an_h1_opening_a_section_after_the_articles_text_is_the_sections_heading() -> None:
    # The outline HTML5 describes: each <section> opens with its own <h1>. Nothing precedes the
    # heading inside its section; the text before it is the previous section's. A box other than a
    # <section> that opens with an <h1> after the article (the appeal above) keeps its heading out.
    paras = [f"{SENTENCES[i]} {SENTENCES[i + 1]}" for i in (0, 2, 4)]
    story = (
        f"<h1>Harbour plan approved</h1><p>{paras[0]}</p>"
        f"<section><h1>What the board decided</h1><p>{paras[1]}</p></section>"
        f"<section><h1>What comes next</h1><p>{paras[2]}</p></section>"
    )
    assert _body(f"<div>{story}</div>") == [
        paras[0],
        "What the board decided",
        paras[1],
        "What comes next",
        paras[2],
    ]


def test_numbered_item_titles_that_link_stay_over_facts_without_a_paragraph() -> None:
    # A ranked list links each item's name to the shop and puts a list of facts under it, not a
    # paragraph: the run of numbers (1, 2, 3) says the headings are the items' titles. The same
    # linked headings without numbers are not vouched for.
    names = ["Harbour Rope Company", "Northern Chandlery", "Quayside Sails"]
    facts = "<ul><li>Price: from 40 euros</li><li>Open: all year</li></ul>"

    def items(numbered: bool) -> str:
        return "".join(
            f"<h3>{f'{n}. ' if numbered else ''}<a href='https://shop{n}.example/'>{name}</a></h3>{facts}"
            for n, name in enumerate(names, start=1)
        )

    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    end = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    body = _body(f"<div>{story}{items(True)}{end}</div>")
    assert [f"{n}. {name}" for n, name in enumerate(names, start=1)] == [b for b in body if b[0].isdigit()]
    body = _body(f"<div>{story}{items(False)}{end}</div>")
    assert not any(name in body for name in names)


def test_a_linked_item_title_over_short_facts_and_then_its_paragraph_stays() -> None:
    # A listicle links each item's name in its heading, and puts short facts (a price, a rating)
    # between the heading and the item's paragraph: the heading is the item's title.
    items = [
        ("1. Harbour Rope Company", "Price: from 40 euros", f"{SENTENCES[0]} {SENTENCES[1]}"),
        ("2. Northern Chandlery", "Price: from 55 euros", f"{SENTENCES[2]} {SENTENCES[3]}"),
    ]
    html = "".join(
        f"<h2><a href='https://shop.example/{i}'>{name}</a></h2><p>{fact}</p><p>{text}</p>"
        for i, (name, fact, text) in enumerate(items)
    )
    body = _body(f"<div><p>{SENTENCES[4]}</p>{html}<p>{SENTENCES[5]}</p></div>")
    assert body == [SENTENCES[4], *(line for item in items for line in item), SENTENCES[5]]
    # A linked heading over a short line and a box that is not a paragraph (a teaser's layout) goes.
    teasers = "".join(
        f"<h2><a href='https://news.example/{i}'>{name}</a></h2><p>{fact}</p><div>{text}</div>"
        for i, (name, fact, text) in enumerate(items)
    )
    body = _body(f"<div><p>{SENTENCES[4]}</p>{teasers}<p>{SENTENCES[5]}</p></div>")
    assert not any(name in line for line in body for name, _, _ in items)


def test_a_sections_header_below_the_articles_prose_is_walked() -> None:
    # Guides and page builders head each section with its own <header>: below the article's first
    # prose, with the section's text after it, it holds a subheading, not the article's headline.
    paras = [f"{SENTENCES[i]} {SENTENCES[i + 1]}" for i in (0, 2, 4)]
    section = f"<section><header><h2>What the berths cost</h2></header><p>{paras[1]}</p></section>"
    body = _body(f"<div><p>{paras[0]}</p>{section}<p>{paras[2]}</p></div>")
    assert body == [paras[0], "What the berths cost", paras[1], paras[2]]
    # A header over links (a box of further reading) is not a section of the article.
    links = "".join(
        f"<li><a href='/2026/0{i}/01/story'>Harbour story number {i}</a></li>" for i in range(1, 4)
    )
    box = f"<section><header><h2>More from the harbour</h2></header><ul>{links}</ul></section>"
    body = _body(f"<div><p>{paras[0]}</p><p>{paras[1]}</p>{box}<p>{paras[2]}</p></div>")
    assert "More from the harbour" not in body


def test_a_linked_line_between_the_articles_paragraphs_stays_and_a_labelled_one_goes() -> None:
    # A line of the story that links nearly all its words (a writer's pointer to an earlier report)
    # sits between two paragraphs of prose; a "Read more:" line names itself as a pointer elsewhere,
    # and a button (a shout in capitals, a row of shop links) is not a line of the article.
    own = "<p><a href='/2025/06/01/quay'>You can read how the board first voted on the quay here.</a></p>"
    headline = "Ferry timetable changes for the winter season on the island"
    labelled = f"<p>Read more: <a href='/2026/11/02/ferry'>{headline}</a></p>"
    shout = "<p><a href='/app'>CLICK HERE TO GET THE HARBOUR GAZETTE APP</a></p>"
    shops = "".join(
        f"<a href='https://shop.example/{i}'>Shop the {thing}</a>" for i, thing in enumerate(["rope", "net"])
    )
    shops = f"<p>{shops}</p>"
    paras = [f"<p>{s}</p>" for s in SENTENCES]
    body = _body(
        f"<div>{paras[0]}{own}{paras[1]}{labelled}{paras[2]}{shout}{paras[3]}{shops}{''.join(paras[4:])}</div>"
    )
    assert body == [
        SENTENCES[0],
        "You can read how the board first voted on the quay here.",
        *SENTENCES[1:],
    ]
    # The same line outside the run of prose (before the first paragraph or after the last) is a
    # pointer, left out.
    assert _body(f"<div>{''.join(paras)}{own}</div>") == SENTENCES
    assert _body(f"<div>{own}{''.join(paras)}</div>") == SENTENCES


def test_a_link_list_between_the_articles_prose_stays_and_one_at_its_edge_or_of_the_sites_pages_goes() -> (
    None
):
    # A guide lists the courses it describes between the paragraph introducing them and the one after:
    # each item is one link to the course's page elsewhere. The same list before the first paragraph
    # or after the last, a list of the site's own stories (bare paths) and a table of contents (links
    # to the page's headings) between the same paragraphs stay out.
    courses = ["Harbour Pilotage Basics", "Tide Tables for Skippers", "Knots and Mooring Lines"]
    guide = "".join(
        f"<li><a href='https://learn.example/c/{i}'>{name}</a></li>" for i, name in enumerate(courses)
    )
    guide = f"<ul>{guide}</ul>"
    related = "".join(
        f"<li><a href='/2026/11/0{i}/story'>Ferry timetable changes for the winter season, part {i}</a></li>"
        for i in range(1, 4)
    )
    related = f"<ul>{related}</ul>"
    contents = "".join(f"<li><a href='#s{i}'>Section {i} of the guide</a></li>" for i in range(1, 4))
    contents = f"<ul>{contents}</ul>"
    paras = [f"<p>{s}</p>" for s in SENTENCES]
    rest = "".join(paras[2:])
    assert _body(f"<div>{paras[0]}{guide}{paras[1]}{rest}</div>") == [SENTENCES[0], *courses, *SENTENCES[1:]]
    assert _body(f"<div>{''.join(paras)}{guide}</div>") == SENTENCES
    assert _body(f"<div>{guide}{''.join(paras)}</div>") == SENTENCES
    # Prose on one side only within its box (the box's last line, the article going on in the next
    # box) is the edge of a box, where a list of links to read next sits.
    assert _body(f"<div><div>{paras[0]}{paras[1]}{guide}</div><div>{rest}</div></div>") == SENTENCES
    assert _body(f"<div>{paras[0]}{related}{paras[1]}{rest}</div>") == SENTENCES
    assert _body(f"<div>{paras[0]}{contents}{paras[1]}{rest}</div>") == SENTENCES


def test_a_list_between_the_articles_prose_whose_items_each_open_with_a_pointers_label_goes() -> None:
    # A travel guide points to its other guides from between its paragraphs, each item a label and a
    # linked title at a full address ("See also: …"); the same titles without their labels, or with
    # one item only labelled (a name and what it is), are the article's list and stay.
    titles = ["Winter Driving on the Coast Road", "Harbour Walks for a Rainy Day"]
    paras = [f"<p>{s}</p>" for s in SENTENCES]
    rest = "".join(paras[2:])

    def listed(labels: list[str]) -> str:
        items = "".join(
            f"<li>{label}<a href='https://guides.example/{i}'>{title}</a></li>"
            for i, (label, title) in enumerate(zip(labels, titles, strict=True))
        )
        return f"<div>{paras[0]}<ul>{items}</ul>{paras[1]}{rest}</div>"

    assert _body(listed(["See also: ", "Check out: "])) == SENTENCES
    assert _body(listed(["", ""])) == [SENTENCES[0], *titles, *SENTENCES[1:]]
    assert _body(listed(["Map: ", ""])) == [SENTENCES[0], f"Map: {titles[0]}", titles[1], *SENTENCES[1:]]


def test_a_run_of_link_lists_under_subheadings_at_the_edge_of_its_box_stays_between_the_prose() -> None:
    # A checklist box opens with its categories, each a subheading over a list of linked gear, and
    # its prose comes after them; the article's prose stands before the box. A box of nothing but a
    # heading and a link list between the paragraphs is the site's insert, and goes.
    gear = ["Tent and rainfly", "Sleeping bag", "Trekking poles"]
    listed = "".join(f"<li><a href='https://shop.example/{i}'>{name}</a></li>" for i, name in enumerate(gear))
    paras = [f"<p>{s}</p>" for s in SENTENCES]
    rest = "".join(paras[2:])
    box = f"<div><h3>Shelter</h3><ul>{listed[: listed.index('</li>') + 5]}</ul><h3>Sleep</h3><ul>"
    box += f"{listed[listed.index('</li>') + 5 :]}</ul>{paras[1]}</div>"
    body = _body(f"<div>{paras[0]}{box}{rest}</div>")
    assert body == [SENTENCES[0], "Shelter", gear[0], "Sleep", *gear[1:], *SENTENCES[1:]]
    insert = f"<div><h3>Shelter</h3><ul>{listed}</ul></div>"
    body = _body(f"<div>{paras[0]}{insert}{paras[1]}{rest}</div>")
    assert not set(gear) & set(body)


def test_a_series_of_titles_linking_to_the_sites_own_pages_stays_and_a_lone_one_goes() -> None:
    # A ranked list titles each item with a link to the site's own page about it (a film's review);
    # each title stands over the item's paragraph, and the list's box is larger than a teaser card.
    items = [
        ("3) The Harbour Master", f"{SENTENCES[0]} {SENTENCES[1]}"),
        ("2) Northern Lights", f"{SENTENCES[2]} {SENTENCES[3]}"),
        ("1) The Old Quay", f"{SENTENCES[4]} {SENTENCES[5]}"),
    ]
    ranked = "".join(
        f"<h3><a href='/reviews/{i}'>{title}</a></h3><p>{text}</p>" for i, (title, text) in enumerate(items)
    )
    body = _body(f"<div><p>{SENTENCES[5]}</p>{ranked}</div>")
    assert body == [SENTENCES[5], *(line for item in items for line in item)]
    # One linked heading inside a story is a promotion of another story, and still goes.
    promo = "<h3><a href='/2026/12/01/ferry-strike'>Ferry strike called off</a></h3>"
    paras = "".join(f"<p>{text}</p>" for _, text in items)
    body = _body(f"<div><p>{SENTENCES[5]}</p>{promo}{paras}</div>")
    assert body == [SENTENCES[5], *(text for _, text in items)]


def test_names_linked_inside_a_sentence_are_its_words_and_a_row_of_links_is_not() -> None:
    # Publishers link each place, person or topic of a sentence to a topic page; the sentence is the
    # article's, however much of it is linked. A row of links (tags, "Related: A, B") parts its links
    # with commas, bars or spaces, and a byline names its links between words but ends no sentence.
    run = (
        f"{topic('Mayor Ann Lee')} of {topic('Stoneport')} met {topic('Harbour Board')} "
        f"in {topic('Millbay')} on {topic('Tuesday')}."
    )
    bullets = [
        f"Ferries to {topic('Westholm')} and {topic('Millbay')} run {topic('hourly')} now.",
        f"The {topic('quay')} reopens in {topic('spring')}.",
    ]
    tags = f"Tags: {topic('Stoneport')}, {topic('Ferries')}, {topic('Harbour Board')}"
    byline = f"By {topic('Ann Lee')} in {topic('Harbour News')}"
    items = "".join(f"<li>{b}</li>" for b in bullets)
    paras = [f"<p>{s}</p>" for s in SENTENCES]
    body = _body(
        f"<div>{''.join(paras[:3])}<div>{run}<br><br>{byline}<br><br>{tags}</div><ul>{items}</ul>"
        f"{''.join(paras[3:])}</div>"
    )
    words = [
        "Mayor Ann Lee of Stoneport met Harbour Board in Millbay on Tuesday.",
        "Ferries to Westholm and Millbay run hourly now.",
        "The quay reopens in spring.",
    ]
    assert body == [*SENTENCES[:3], *words, *SENTENCES[3:]]
    # A line of a definition list is held to the same test as a text run.
    entry = f"<dl><dd>{run}</dd></dl>"
    assert _body(f"<div>{''.join(paras[:3])}{entry}{''.join(paras[3:])}</div>") == [
        *SENTENCES[:3],
        words[0],
        *SENTENCES[3:],
    ]
    # A link that ends its sentence is one of the sentence's words too.
    last = (
        f"{topic('The Harbour Board of Stoneport')} met in {topic('Millbay')}. "
        f"It sailed on to {topic('Westholm')}."
    )
    entry = f"<dl><dd>{last}</dd></dl>"
    assert _body(f"<div>{''.join(paras[:3])}{entry}{''.join(paras[3:])}</div>") == [
        *SENTENCES[:3],
        "The Harbour Board of Stoneport met in Millbay. It sailed on to Westholm.",
        *SENTENCES[3:],
    ]
    # A hostile page nests the linked sentence thousands of inline elements deep: read all the same.
    deep = f"<dl><dd>{'<span>' * 3000}{run}{'</span>' * 3000}</dd></dl>"
    assert _body(f"<div>{''.join(paras[:3])}{deep}{''.join(paras[3:])}</div>") == [
        *SENTENCES[:3],
        words[0],
        *SENTENCES[3:],
    ]
    # A list whose items are a row of links each stays out.
    related = "".join(
        f"<li>{topic('Stoneport')}, {topic('Millbay')} and {topic('Westholm')}</li>" for _ in range(2)
    )
    assert _body(f"<div>{''.join(paras)}<ul>{related}</ul></div>") == SENTENCES


def test_a_comment_inside_a_text_run_does_not_split_it() -> None:
    # A browser shows nothing for an HTML comment and reads the text on both sides as one line;
    # templates leave comments inside a post's text (an ad slot, an editor's marker). The sentence
    # stays whole, and its linked names are judged as the words of the whole sentence.
    run = (
        f"{topic('Mayor Ann Lee')} of {topic('Stoneport')} met <!-- ad slot --> "
        f"{topic('Harbour Board')} in {topic('Millbay')} on {topic('Tuesday')}."
    )
    plain = "The ferry timetable <!-- more --> changes in spring."
    # Between two line breaks a comment leaves the blank line the breaks show.
    lines = "The quay opens in May.<br><!-- break --><br>The ferry runs all year."
    paras = [f"<p>{s}</p>" for s in SENTENCES]
    body = _body(
        f"<div>{''.join(paras[:3])}<div>{run}<br><br>{plain}<br><br>{lines}</div>{''.join(paras[3:])}</div>"
    )
    assert body == [
        *SENTENCES[:3],
        "Mayor Ann Lee of Stoneport met Harbour Board in Millbay on Tuesday.",
        "The ferry timetable changes in spring.",
        "The quay opens in May.",
        "The ferry runs all year.",
        *SENTENCES[3:],
    ]
