"""Body extraction leaves out wordy furniture inside the article's box: each test is one mechanism."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newswire.extract import extract_html
from newswire.extract._clean import clean_tree
from newswire.extract._walk import _gate_box
from tests.support.harbour_story import SENTENCES, URL

_BIO = [
    "Jane Harbour has covered the port and its fishing fleet for twelve years, first for a weekly"
    " paper and then for this newsroom, where she also edits the weekend pages on shipping.",
    "She lives by the waterfront with two cats and a rowing boat, and she answers every letter"
    " readers send her about the harbour, the boats and the people who work on them.",
]


def _page(article: str) -> str:
    head = "<head><title>Harbour plan approved</title></head>"
    return f"<html>{head}<body><article>{article}</article></body></html>"


def _body(article: str) -> list[str]:
    return extract_html(_page(article).encode(), URL, fetched="2026-12-04T12:00:00+00:00").body.split("\n\n")


def test_a_footer_goes_even_when_it_holds_long_paragraphs() -> None:
    # An author box in the article's <footer>: two long unlinked paragraphs, as an article has.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    footer = "<footer><h3>About the author</h3>" + "".join(f"<p>{s}</p>" for s in _BIO) + "</footer>"
    assert _body(f"<div>{story}{footer}</div>") == SENTENCES


def test_a_box_the_site_marks_as_no_content_goes_even_when_wordy() -> None:
    # Google's "nocontent" class: the site says the box (here, about the blog) is not the article.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    about = (
        "<div class='module nocontent'><h4>About this blog</h4>"
        + "".join(f"<p>{s}</p>" for s in _BIO)
        + "</div>"
    )
    assert _body(f"<div>{story}{about}</div>") == SENTENCES


def test_a_box_named_footer_goes_even_when_wordy_unless_it_wraps_the_article() -> None:
    # A post's "entry-footer" <div> holding the author's bio: the class says what a <footer> says.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    bio = (
        "<div class='entry-footer'><h3>About the author</h3>"
        + "".join(f"<p>{s}</p>" for s in _BIO)
        + "</div>"
    )
    assert _body(f"<div>{story}{bio}</div>") == SENTENCES
    # A layout box named "footer" that wraps the article is the article's, not furniture.
    assert _body(f"<div class='footer-pushed'><h1>Harbour plan approved</h1>{story}</div>") == SENTENCES


def test_a_wrapper_named_for_a_sticky_footer_is_not_furniture() -> None:
    # No headline or <article> inside to vouch for it: holding most of the page's text does.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    page = (
        "<html><head><title>Harbour plan approved</title></head><body>"
        "<div class='sticky-footer-push'><div class='story'>"
        f"<h2>Harbour plan approved</h2>{story}</div></div>"
        "<div class='footer'><p>(c) 2026 Example News</p></div></body></html>"
    )
    event = extract_html(page.encode(), URL, fetched="2026-12-04T12:00:00+00:00")
    assert event.body.split("\n\n") == SENTENCES
    assert (event.extraction.method, event.extraction.confidence) == ("container", 1.0)


def test_a_short_label_ending_in_a_colon_stays_inside_the_body_and_goes_at_its_end() -> None:
    # "Pros:" introduces the list below it; "Read more:" at the end lost the link it introduced.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    pros = ["A longer quay for the bigger boats.", "Safer berths in the winter storms."]
    points = "<ul>" + "".join(f"<li>{p}</li>" for p in pros) + "</ul>"
    more = "<p>Read more:</p><p><a href='/2026/12/03/port'>The port's busiest year</a></p>"
    assert _body(f"<div>{story}<p>Pros:</p>{points}{more}</div>") == [*SENTENCES[:3], "Pros:", *pros]


def test_text_marked_data_nosnippet_stays() -> None:
    # A paywalled story marks the text past the free paragraph so that search engines do not quote
    # it, paragraph by paragraph or in one box; it is still the article's (a subscriber's fetch
    # shows it). The mark says nothing about whether a box is the article.
    free = f"<p>{SENTENCES[0]}</p>"
    paid = "".join(f"<p data-nosnippet>{s}</p>" for s in SENTENCES[1:])
    assert _body(f"<div>{free}{paid}</div>") == SENTENCES
    boxed = "<div class='paid-content'{}>" + "".join(f"<p>{s}</p>" for s in SENTENCES[1:]) + "</div>"
    marked = _body(f"<div>{free}{boxed.format(' data-nosnippet')}</div>")
    assert marked == _body(f"<div>{free}{boxed.format('')}</div>")
    assert set(SENTENCES[1:]) <= set(marked)


def test_a_heading_whose_id_is_its_own_words_stays() -> None:
    # A section anchor ("#social-media-tips") names the heading's subject, not a share box; a
    # "Comments" heading kept so is where the article ends before readers' comments.
    heading = "Social media tips for the harbour board"
    comments = [
        "Great news for the fleet at last, my father fished from that quay for forty years and more.",
        "About time too, the old quay was a danger every single winter and everyone in town knew it.",
    ]
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    section = f"<h2 id='social-media-tips'>{heading}</h2><p>{_BIO[0]}</p>"
    thread = "<h2 id='comments'>2 Comments</h2>" + "".join(f"<div><p>{c}</p></div>" for c in comments)
    assert _body(f"<div>{story}{section}{thread}</div>") == [*SENTENCES, heading, _BIO[0]]


def test_a_heading_anchored_by_a_table_of_contents_plugin_stays() -> None:
    # Table-of-contents plugins build a heading's id from its words plus a word of their own
    # ("nav_…__1") and a counter: the id still names the heading, not a navigation box.
    heading = "Costs of the new quay"
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    section = f"<h3 id='nav_costs_of_the_new_quay__1'>{heading}</h3><p>{_BIO[0]}</p>"
    assert _body(f"<div>{story}{section}</div>") == [*SENTENCES, heading, _BIO[0]]
    named = f"<h3 id='nav-menu'>{heading}</h3><p>{_BIO[0]}</p>"
    assert heading not in _body(f"<div>{story}{named}</div>")


def test_a_comment_section_heading_named_as_such_still_ends_the_article() -> None:
    # The heading's class names comments, the thread below it has no telling name: the heading
    # stays so that the article ends there.
    comments = [
        "Great news for the fleet at last, my father fished from that quay for forty years and more.",
        "About time too, the old quay was a danger every single winter and everyone in town knew it.",
    ]
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    thread = "<h3 class='comments-title'>2 Comments</h3>" + "".join(
        f"<div><p>{c}</p></div>" for c in comments
    )
    assert _body(f"<div>{story}{thread}</div>") == SENTENCES


def test_the_headline_repeated_in_the_body_goes_when_only_its_punctuation_differs() -> None:
    # The page's <title> says "Harbour plan approved"; the box repeats it with quotation marks.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    assert _body(f"<div><p>‘Harbour plan’ approved</p>{story}</div>") == SENTENCES


def test_the_headline_repeated_below_the_articles_prose_is_a_line_of_the_article() -> None:
    # A guide titles one of its sections with the article's own title: below running text, the
    # words are a subheading of the article, not the page's title block repeated above it.
    paras = [f"{SENTENCES[i]} {SENTENCES[i + 1]}" for i in (0, 2, 4)]
    story = f"<p>Harbour plan approved</p><p>{paras[0]}</p><h2>Harbour plan approved</h2>"
    body = _body(f"<div>{story}<p>{paras[1]}</p><p>{paras[2]}</p></div>")
    assert body == [paras[0], "Harbour plan approved", paras[1], paras[2]]


def test_paragraphs_marked_as_paid_stay_and_the_paywall_prompt_goes() -> None:
    # A subscriber's fetch: the publisher classes each paid paragraph "paywall", and the box that
    # asks non-subscribers to pay is named so too.
    free = f"<p>{SENTENCES[0]}</p>"
    paid = "".join(f"<p class='paywall'>{s}</p>" for s in SENTENCES[1:])
    prompt = (
        "<div class='paywall-prompt'><p>Subscribe today to keep reading every story on the harbour,"
        " the fleet and the town, with unlimited access on all of your devices.</p></div>"
    )
    assert _body(f"<div>{free}{paid}{prompt}</div>") == SENTENCES


def test_a_post_filing_line_in_the_second_half_goes_and_one_at_the_top_stays() -> None:
    # Blog templates print the post's categories and tags under its text, in a plain <p> that holds
    # a sentence; the same words can open an article's own first line.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    filed = (
        "<p>This entry was posted on Friday, December 4th, 2026 at 12:00 pm and is filed under"
        " <a href='/category/harbour'>Harbour</a>, <a href='/category/port'>Port</a>. You can follow"
        " any responses to this entry through the RSS 2.0 feed.</p>"
        "<p>Tags: <a href='/tag/quay'>quay</a>, vote, <a href='/tag/board'>board</a> and fishing</p>"
    )
    assert _body(f"<div>{story}{filed}</div>") == SENTENCES
    opening = "Posted in Harbour news, the board's decision is the first since the quay was built."
    assert _body(f"<div><p>{opening}</p>{story}</div>") == [opening, *SENTENCES]


def test_a_box_about_the_writer_under_the_article_ends_it_and_a_section_about_its_subject_does_not() -> None:
    # Without a class or footer to go by, the box's heading names it: about the author, or about a
    # person, blog or company by name. "About the quay" is a section of the article.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    bio = "".join(f"<p>{s}</p>" for s in _BIO)
    for heading in ("About the author", "About Jane Harbour", "ABOUT HARBOUR MEDIA"):
        assert _body(f"<div>{story}<h3>{heading}</h3>{bio}</div>") == SENTENCES
    section = "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    lines = _body(
        f"<div>{''.join(f'<p>{s}</p>' for s in SENTENCES[:3])}<h2>About the quay</h2>{section}</div>"
    )
    assert lines == [*SENTENCES[:3], "About the quay", *SENTENCES[3:]]


def test_a_sign_up_box_around_an_address_field_goes() -> None:
    # A sign-up box between the article's paragraphs, named only by layout classes: its pitch and
    # its legal line read as sentences; the e-mail field (and the SMS variant's phone field) tells.
    story = [f"<p>{s}</p>" for s in SENTENCES]
    signup = (
        "<section class='relative my-12 mx-auto p-2'><div class='p-8 bg-white'>"
        "<div class='font-bold header-300'>Be the first to know about the port's news!</div>"
        "<div class='header-600'>Sign up now for our harbour newsletter, every Friday.</div>"
        "<form class='flex flex-col'><input type='email' placeholder='Enter Email'>"
        "<button type='submit'>Sign me up</button></form>"
        "<div class='text-xs'>By signing up, you agree to receive our e-mails. You can opt out at"
        " any time with the link at the bottom of every issue.</div>"
        "<div class='flex'><input type='tel'><div>Thanks for signing up!</div></div>"
        "</div></section>"
    )
    assert _body("<div>" + "".join(story[:3]) + signup + "".join(story[3:]) + "</div>") == SENTENCES


def test_a_short_article_beside_an_address_field_stays() -> None:
    # The box around the field stops before the article: a box with the article's long paragraphs
    # (or more text than a sign-up box holds) is not the sign-up box.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
    form = "<div><p>Get the weekly letter:</p><form><input type='text' name='EMAIL'></form></div>"
    assert _body(f"<div>{story}{form}</div>") == SENTENCES[:2]


def test_a_passage_the_page_prints_twice_comes_out_once() -> None:
    # A template prints the article's questions and answers twice (an accordion, then a list):
    # the second run of repeated paragraphs goes.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    answers = [
        "The new quay will be two hundred metres long, twice the old one, with room for six boats."
        " The largest trawlers in the fleet will be able to berth there in any weather.",
        "The berths open before next summer, and the old quay stays in use until the new one is done."
        " Boats will move across one by one as each berth is finished and inspected.",
        "The pile driving stops at eight in the evening, and no work is done on Sundays or holidays."
        " Residents can call the port's office if the noise goes on later than that.",
    ]
    lines = [line for i, a in enumerate(answers) for line in (f"Question {i} about the quay?", a)]
    faq = "".join(f"<h3>{q}</h3><p>{a}</p>" for q, a in zip(lines[::2], lines[1::2], strict=True))
    body = _body(f"<div>{story}<div class='box'>{faq}</div><div class='box'>{faq}</div></div>")
    assert body == [*SENTENCES, *lines]


def test_a_songs_repeated_chorus_stays() -> None:
    # Lyrics repeat a chorus stanza between the verses: a stanza or two, not a run of them.
    verses = [f"<p>{s}</p>" for s in SENTENCES[:4]]
    chorus = "<p>Row the boat, row the boat<br>out past the harbour wall<br>row the boat home.</p>"
    song = verses[0] + chorus + verses[1] + chorus + verses[2] + chorus + chorus + verses[3]
    words = "Row the boat, row the boat out past the harbour wall row the boat home."
    expected = [SENTENCES[0], words, SENTENCES[1], words, SENTENCES[2], words, words, SENTENCES[3]]
    assert _body(f"<div>{song}</div>") == expected


def test_a_call_to_action_box_goes() -> None:
    # Sites name their pitch boxes "cta" (call to action): a sentence or two and a button link.
    story = [f"<p>{s}</p>" for s in SENTENCES]
    cta = (
        "<div class='cta-box'><h3>Planning a move to the harbour?</h3>"
        "<p>Our movers have helped hundreds of families settle by the sea. Get a free quote today.</p>"
        "<a class='button' href='/quote'>Get a quote</a></div>"
    )
    assert _body("<div>" + "".join(story[:4]) + cta + "".join(story[4:]) + "</div>") == SENTENCES


# Paragraphs of prose (200+ characters ending a sentence): the article whose last one a closing box follows.
_PROSE = [" ".join(SENTENCES[i : i + 2]) for i in range(0, len(SENTENCES), 2)]


def test_a_small_box_after_the_article_goes() -> None:
    # A sign-up pitch with no form field (a script renders it) in a box of layout classes, after the
    # last paragraph: a heading and a line, a box of its own.
    story = "".join(f"<p>{p}</p>" for p in _PROSE)
    pitch = (
        "<div class='mt-8 rounded bg-sand'><h3>Never miss a tide</h3>"
        "<p>Join 40,000 readers who get our harbour letter every Friday.</p></div>"
    )
    assert _body(f"<div>{story}<p>Thanks for reading!</p>{pitch}</div>") == [*_PROSE, "Thanks for reading!"]


def test_the_articles_closing_parts_in_boxes_of_one_kind_stay() -> None:
    # A guide's steps, each in a box of the same class: the last ones are short, but the earlier
    # steps of the series were walked, so they are the article's.
    steps = [
        f"<div class='step'><h3>Step {n}</h3><p>{text}</p></div>"
        for n, text in enumerate(
            [_PROSE[0], "Tie the boat to the new quay.", "Check the ropes at low tide."], 1
        )
    ]
    story = "".join(f"<p>{p}</p>" for p in _PROSE[1:])
    body = _body(f"<div>{story}{''.join(steps)}</div>")
    assert body == [
        *_PROSE[1:],
        "Step 1",
        _PROSE[0],
        "Step 2",
        "Tie the boat to the new quay.",
        "Step 3",
        "Check the ropes at low tide.",
    ]


def test_a_box_of_bare_lines_after_the_article_stays() -> None:
    # Where and when, after the article: facts of the article in lines that are not sentences.
    story = "".join(f"<p>{p}</p>" for p in _PROSE)
    where = "Harbour Museum, Quay Street 4, Portsea, until the end of March"
    facts = f"<div class='mt-4'><h3>If you go</h3><p>{where}</p></div>"
    assert _body(f"<div>{story}{facts}</div>") == [*_PROSE, "If you go", where]


def test_a_wrapper_of_a_box_that_stays_is_not_cut_whole() -> None:
    # An unclassed wrapper holds the article's facts (bare lines, they stay) and a site notice (a
    # sentence, it goes): the wrapper is not cut whole for its notice.
    story = "".join(f"<p>{p}</p>" for p in _PROSE)
    where = "Harbour Museum, Quay Street 4, Portsea, until the end of March"
    facts = f"<div class='mt-4'><h3>If you go</h3><p>{where}</p></div>"
    notice = "<div class='mt-2'><p>Our standards: read how we report on the harbour.</p></div>"
    assert _body(f"<div>{story}<div>{facts}{notice}</div></div>") == [*_PROSE, "If you go", where]


_REPLIES = [
    "I grew up two streets from that harbour and I still remember the smell of the fish market on"
    " a Saturday morning, long before anybody talked about building flats along the old quay.",
    "The council said the same thing about the marina ten years ago, and the boats that were"
    " promised never came, so forgive me if I wait for the first pile to be driven this time.",
]


def test_readers_comments_in_boxes_named_in_one_word_go() -> None:
    # Old blog templates name each reply's box in one word ("commentbody", "commenttext"), with no
    # comment section heading before them; the replies are long paragraphs like the article's.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES)
    replies = "".join(f"<div class='commentbody'><p>{r}</p><p>{r}</p></div>" for r in _REPLIES)
    assert _body(f"<div>{story}{replies}</div>") == SENTENCES


def test_a_box_named_commentary_is_not_readers_comments() -> None:
    # "commentary" is an opinion article, not the readers' replies under one: a box so named that
    # holds long paragraphs stays through cleaning, as a box named for boilerplate does.
    column = "".join(f"<p>{s}</p>" for s in _BIO)
    tree = LexborHTMLParser(_page(f"<div class='commentarybody'>{column}</div>"))
    clean_tree(tree, URL)
    assert tree.css_first("div.commentarybody") is not None


_MORE = [
    "Harbour traders, who had feared a year of closed lanes and lost custom, said the stop at eight"
    " was the least the board could do, and several of them will sit on a panel that meets the"
    " builders every month to hear complaints from the streets along the water.",
    "The old quay will stay open until the new berths are ready, the port said, and the ferry to the"
    " islands will keep its timetable through the works, though its car deck may close for a few"
    " weekends in the autumn while the crane moves along the wall.",
]


def test_a_box_with_the_writers_portrait_and_page_goes() -> None:
    # A template's author box under the article: the writer's photo (its alt text her name, which
    # the box prints), a bio that reads as prose, and a link to her page among the site's people.
    story = "".join(f"<p>{p}</p>" for p in [*_PROSE, *_MORE])
    box = (
        "<div class='mt-6 flex gap-4'><img src='/img/jane.jpg' alt='Jane Harbour'>"
        f"<div><p>Written by</p><p>Jane Harbour</p><p>{' '.join(_BIO)}</p>"
        "<a href='/authors/jane-harbour/'>More from Jane</a></div></div>"
    )
    assert _body(f"<div>{story}{box}</div>") == [*_PROSE, *_MORE]


_SKIFF = (
    "The skiff we took out on the last morning is a light wooden boat built on the quay itself, easy"
    " to row for two, steady in a short chop, and cheap to keep, which is why half the harbour owns one."
    " The yard sells a kit for it too."
)


def test_a_product_card_with_its_photo_stays() -> None:
    # A guide's last pick: its photo's alt text is the product's name, printed in the card, and the
    # card links to a shop, not to a page of people: the article's own item.
    story = "".join(f"<p>{p}</p>" for p in _PROSE)
    card = (
        "<div class='mt-6 flex gap-4'><img src='/img/boat.jpg' alt='Harbour Skiff'>"
        f"<div><p>Harbour Skiff</p><p>{_SKIFF}</p>"
        "<a href='https://shop.example/skiff'>Buy it</a></div></div>"
    )
    assert _body(f"<div>{story}{card}</div>") == [*_PROSE, "Harbour Skiff", _SKIFF]


def test_a_box_named_as_a_disclaimer_goes() -> None:
    # An investment notice under the article, in a box the template names a disclaimer: a long
    # paragraph that reads as prose, so only the name tells it from the article's last paragraph.
    story = "".join(f"<p>{p}</p>" for p in [*_PROSE, *_MORE])
    notice = (
        "<div class='post-disclaimer'><p>Harbour Capital and its affiliates do not give tax, legal or"
        " accounting advice. This material is for information only and is not an offer to buy or sell"
        " any security; past performance does not guarantee future results, and you should consult"
        " your own advisers before you act on anything you read here.</p></div>"
    )
    assert _body(f"<div>{story}{notice}</div>") == [*_PROSE, *_MORE]


def _gate(lines: str) -> str:
    """A members-only box in classes that say nothing: a notice, two buttons, and ``lines``."""
    return (
        "<div class='c-box7'><div class='c-in'><p><b>This story is for members.</b> "
        "Print subscribers can sign up free of charge.</p>"
        "<div class='c-col'><div><a class='c-b1' href='/join'>Join now</a></div>"
        "<div><a class='c-b2' href='/login'>Log in to keep reading</a></div></div>"
        f"{lines}</div></div>"
    )


def test_a_gate_in_front_of_the_rest_of_a_cut_off_article_ends_it() -> None:
    # The box right after the article's last paragraph: a notice, buttons, a list of the offer's
    # benefits and a footnote that ends a sentence (so the trailing labels' pop stops at it).
    story = "".join(f"<p>{p}</p>" for p in _PROSE)
    benefits = (
        "<dl><dt>Members get</dt><dd>Every story on the site</dd><dd>The morning newsletter</dd></dl>"
        "<p>* Print subscribers are readers of the daily and the weekend paper.</p>"
    )
    topics = "<div class='c-kw'><p>Topics</p></div>"
    assert _body(f"<div>{story}{_gate(benefits)}{topics}</div>") == _PROSE


def test_a_box_whose_links_are_items_of_a_list_is_no_gate() -> None:
    # Links that are items of a list are a list's (a menu, the article's sources), not a gate's buttons.
    box = (
        "<div class='c-src'><p>The board's decision is public.</p><ul>"
        "<li><a href='/minutes'>Minutes</a></li><li><a href='/plan'>The plan</a></li></ul></div>"
    )
    node = LexborHTMLParser(box).css_first("div")
    assert node is not None
    lines = ["The board's decision is public.", "Council of Portsea, 2026."]
    assert not _gate_box(node, lines)
    buttons = box.replace("<ul>", "<div>").replace("</ul>", "</div>").replace("li>", "div>")
    button_box = LexborHTMLParser(buttons).css_first("div")
    assert button_box is not None
    assert _gate_box(button_box, lines)


def test_a_sign_up_pitch_after_the_articles_prose_goes() -> None:
    # A short line asking the reader to subscribe, under the article's last paragraph of prose and
    # in no box of its own; the same words inside the article, or in a long line, are its text.
    paras = [f"{a} {b}" for a, b in zip(SENTENCES[::2], SENTENCES[1::2], strict=True)]
    inside = "Readers can sign up for a guided walk along the new quay at the harbour office."
    pitch = "Join our mailing list! Sign up to get the week's harbour news delivered to your inbox."
    note = (
        "A version of this article appeared in print in the weekend edition, on page 4, under the"
        " headline: Harbour board approves the new quay after a long vote | Order reprints | Subscribe"
    )
    story = f"<p>{paras[0]}</p><p>{inside}</p><p>{paras[1]}</p><p>{paras[2]}</p>"
    assert _body(f"<div>{story}<p>{pitch}</p></div>") == [paras[0], inside, paras[1], paras[2]]
    assert _body(f"<div>{story}<p>{note}</p></div>") == [paras[0], inside, paras[1], paras[2], note]
