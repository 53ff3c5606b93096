"""Body extraction on layouts the container scorer alone gets wrong: each test is one mechanism."""

from __future__ import annotations

import json

import pytest
from selectolax.lexbor import LexborHTMLParser

from newswire.errors import ExtractError
from newswire.events import decode_article, encode_event
from newswire.extract import extract_html
from newswire.extract._clean import clean_tree
from newswire.extract._container import choose_container
from newswire.extract._headline_branch import headline_branch
from newswire.extract._second_opinion import without_thread
from newswire.extract._walk import container_text
from tests.support.harbour_story import SENTENCES, URL


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>Harbour plan approved</title>{head}</head><body>{body}</body></html>"


def _event(html: str):  # type: ignore[no-untyped-def]
    return extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00")


def _paragraphs(sentences: list[str]) -> str:
    return "".join(f"<p>{s}</p>" for s in sentences)


def _menu(n: int) -> str:
    return "<ul>" + "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(n)) + "</ul>"


def test_br_runs_in_a_box_named_like_a_widget_are_kept() -> None:
    # Blog templates name the post column "widget blog" and write paragraphs as <br> runs.
    paragraphs = [f"{a} {b}" for a, b in zip(SENTENCES[::2], SENTENCES[1::2], strict=True)]
    text = "<br><br>".join(paragraphs)
    html = _page(f'<div class="widget blog" id="Blog1"><h2>Harbour plan approved</h2><div>{text}</div></div>')
    event = _event(html)
    assert event.body.split("\n\n") == paragraphs
    assert event.extraction is not None and event.extraction.method == "container"


def test_br_runs_in_a_span_holding_blocks_beat_an_aside_of_paragraphs() -> None:
    # Rich-text editors (HubSpot, some CMS themes) put the whole post in one <span> with <h2> and
    # <hr> inside it and no <p> at all; the author box beside it is the only <p> text on the page.
    paragraphs = [f"{a} {b}" for a, b in zip(SENTENCES[::2], SENTENCES[1::2], strict=True)]
    text = f"{paragraphs[0]}<br><br>{paragraphs[1]}<hr>{paragraphs[2]}"
    bio = (
        "<p>Jane Harbour has covered the port and its fishing fleet for twelve years, first for a"
        " weekly paper and then for this newsroom, where she edits the weekend pages.</p>"
        "<p>She lives by the waterfront with two cats and a rowing boat, and she answers every"
        " letter readers send her about the harbour and the people who work on it.</p>"
    )
    html = _page(
        f"<div class='post'><span class='rich-text'><h2>The vote</h2>{text}</span></div><aside>{bio}</aside>"
    )
    assert _event(html).body.split("\n\n") == ["The vote", *paragraphs]


def test_comments_with_more_text_than_the_article_do_not_win() -> None:
    # Long comments: by text amount alone the section would pass as the article.
    # The items carry no name of their own (WordPress: <ol class="commentlist"><li class="even">).
    comments = "".join(f'<li class="even"><p>{s} {s} I disagree.</p></li>' for s in SENTENCES * 2)
    html = _page(
        f"<article><h1>Harbour plan approved</h1>{_paragraphs(SENTENCES[:3])}</article>"
        f'<section id="comments"><h2>12 Comments</h2><ol class="commentlist">{comments}</ol></section>'
    )
    event = _event(html)
    assert event.body.split("\n\n") == SENTENCES[:3]
    assert event.extraction is not None and event.extraction.method == "container"


def test_comments_marked_up_as_articles_are_still_comments() -> None:
    # WordPress themes mark each reader's comment up as an <article> inside the comment list
    # (<li class="comment"><article id="comment-12" class="comment-body">), with no heading that
    # says "Comments"; the list is comments all the same, though it wraps <article>s.
    comments = "".join(
        f'<li class="comment"><article id="div-comment-{i}" class="comment-body"><p>{s} {s} I disagree.</p>'
        "</article></li>"
        for i, s in enumerate(SENTENCES * 2)
    )
    html = _page(
        f"<div class='entry'>{_paragraphs(SENTENCES[:3])}</div><div class='wrap'><ol class='comment-list'>"
        f"{comments}</ol></div>"
    )
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def test_article_split_over_sibling_boxes_keeps_every_box() -> None:
    # Two text boxes with a gallery strip of short captions between them: the strip's noise
    # makes the common parent lose to the first box, and the second box is its sibling.
    strip = "".join(f"<div>Photo {i} of 40: the quay</div>" for i in range(40))
    html = _page(
        f"<div class='story'><div class='part'>{_paragraphs(SENTENCES[:3])}</div>"
        f"<div class='strip'>{strip}</div>"
        f"<div class='part'>{_paragraphs(SENTENCES[3:5])}</div></div>"
    )
    tree = LexborHTMLParser(html)
    clean_tree(tree)
    assert tree.body is not None
    choice = choose_container(tree.body)
    assert choice.best is not None and choice.best.attributes.get("class") == "part"
    assert len(choice.siblings) == 1
    assert _event(html).body.split("\n\n") == SENTENCES[:5]


def test_text_only_in_json_ld_article_body() -> None:
    ld = {"@type": "NewsArticle", "headline": "Harbour plan approved", "articleBody": "\n\n".join(SENTENCES)}
    html = _page(
        "<div id='app'>Loading…</div>", f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    event = _event(html)
    assert event.body.split("\n\n") == SENTENCES
    assert event.extraction is not None and event.extraction.method == "json-ld"


def test_text_only_in_noscript_is_found_by_the_fallback() -> None:
    html = _page(f"<div id='app'></div><noscript><div>{_paragraphs(SENTENCES)}</div></noscript>")
    event = _event(html)
    assert event.body.split("\n\n") == SENTENCES
    assert event.extraction is not None and event.extraction.method == "blocks"


def test_unsure_container_falls_back_to_the_densest_run() -> None:
    # Every paragraph sits in its own box named like a share bar, so cleaning removes the
    # boxes one by one (none holds two long paragraphs) and no container is left; the
    # fallback, which ignores names, finds the run of prose.
    boxes = "".join(f'<div class="share-wrap"><p>{s}</p></div>' for s in SENTENCES)
    html = _page(f"<main-wrapper>{_menu(8)}{boxes}{_menu(8)}</main-wrapper>")
    event = _event(html)
    assert event.body.split("\n\n") == SENTENCES
    assert event.extraction is not None
    assert event.extraction.method == "blocks" and event.extraction.confidence <= 0.5


def test_container_holding_a_tiny_part_of_the_visible_text_is_second_guessed() -> None:
    # The only paragraph the container scorer keeps is a one-line teaser in an <article>, so it
    # holds all the paragraph text left after cleaning (the share test passes); the story, in
    # boxes named like share bars, is the rest of what the page shows. A body under 3% of the
    # visible words is reason enough to look again.
    story = [f"{a} {b}" for a in SENTENCES for b in SENTENCES[:3]]
    boxes = "".join(f'<div class="share-wrap"><p>{s}</p></div>' for s in story)
    teaser = "How the harbour board voted on the new quay, and what it costs the port"
    teaser = f"<article><h2>Related</h2><p>{teaser}</p></article>"
    event = _event(_page(f"<main-wrapper>{teaser}{_menu(8)}{boxes}{_menu(8)}</main-wrapper>"))
    assert event.body.split("\n\n") == story
    assert event.extraction is not None and event.extraction.method == "blocks"


def test_extraction_block_round_trips_and_old_events_still_decode() -> None:
    event = _event(_page(f"<article>{_paragraphs(SENTENCES)}</article>"))
    assert event.extraction is not None and event.extraction.method == "container"
    assert event.extraction.confidence == 1.0
    again = decode_article(encode_event(event))
    assert again.extraction == event.extraction
    old = json.loads(encode_event(event))
    del old["extraction"]
    old["schema_version"] = "1.1"
    assert decode_article(json.dumps(old)).extraction is None


def test_page_with_no_text_anywhere_is_still_an_error() -> None:
    with pytest.raises(ExtractError, match="no article text"):
        _event(_page(f"<nav>{_menu(5)}</nav>"))


def test_permalink_heading_is_not_a_teaser_card() -> None:
    # A short blog post whose headline links to the post itself: a card only when it links away.
    post = (
        f'<div class="post"><h2><a href="{URL}">Harbour plan approved</a></h2>'
        f"<p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p></div>"
    )
    event = _event(_page(post))
    assert event.body.split("\n\n") == SENTENCES[:2]
    assert event.extraction is not None and event.extraction.method == "container"
    elsewhere = post.replace(f'href="{URL}"', 'href="https://news.example/2026/12/01/other-story"')
    teaser_only = _page(f"<article>{_paragraphs(SENTENCES[2:])}</article>{elsewhere}")
    assert SENTENCES[0] not in _event(teaser_only).body


def test_short_post_ending_in_a_linked_tag_line_is_not_a_teaser_card() -> None:
    # A short post's box ends with a heading of links to the site's own tag pages: its text comes
    # before that heading, while a teaser card opens with its linked heading.
    story = f"<p>{SENTENCES[0]} {SENTENCES[1]}</p><p>{SENTENCES[2]}</p>"
    tags = '<h3><a href="/tag/harbour">Harbour</a> / <a href="/tag/council">Council</a></h3>'
    site_info = "".join(
        f"<p>{line}</p>"
        for line in (
            "Read the rules you agree to by using this website in our Terms of Service and Privacy Policy.",
            "We take part in several affiliate advertising programs designed to earn fees by linking.",
        )
    )
    event = _event(_page(f'<div id="story">{story}{tags}</div><div id="site-info">{site_info}</div>'))
    assert SENTENCES[2] in event.body
    card = f'<div class="promo">{tags}<p>{SENTENCES[3]}</p></div>'
    teaser = _event(_page(f'<div id="story">{story}{_paragraphs(SENTENCES[4:])}</div>{card}'))
    assert SENTENCES[2] in teaser.body
    assert SENTENCES[3] not in teaser.body


def test_a_long_text_widget_inside_an_aside_does_not_outscore_the_post() -> None:
    # A blog's sidebar text widget (an <aside> around a plain inner <div>) holds more text than
    # the post beside it: the markup sets the whole aside apart, its inner boxes included.
    topics = ("open data", "fair rents", "clean rivers")
    widget = "".join(
        f"<p>Our association stands for {topic}, as we have said at every meeting since it was founded, "
        "and we ask every candidate in the coming election to say where they stand on it.</p>"
        for topic in topics
    )
    post = _paragraphs(SENTENCES[:3])
    event = _event(_page(f"<div><article>{post}</article><aside><div>{widget}</div></aside></div>"))
    assert SENTENCES[2] in event.body
    assert "Our association" not in event.body


def test_ruby_readings_do_not_split_the_words_they_annotate() -> None:
    # Japanese news for learners prints each kanji word's reading above it (<ruby>, <rt>, with no
    # <rp> brackets): the reading is not part of the sentence, and inline it splits the word from
    # its ending. (A reading the page brackets with <rp> is its plain-text form and stays:
    # test_extract_scripts.py.)
    sentences = [
        "港の再開発計画が市議会で承認され、来年の春から工事が始まることになりました。",
        "新しい公園と図書館が作られ、市民が海の近くで休むことができるようになります。",
        "市長は、工事の間も漁業を続けられるように、地元の人たちと話し合うと話しました。",
    ]
    ruby = {"港": "みなと", "市議会": "しぎかい", "図書館": "としょかん", "漁業": "ぎょぎょう"}
    marked = list(sentences)
    for word, reading in ruby.items():
        annotated = f"<ruby>{word}<rt>{reading}</rt></ruby>"
        marked = [sentence.replace(word, annotated) for sentence in marked]
    event = _event(_page(f"<article>{_paragraphs(marked * 2)}</article>"))
    assert event.body.split("\n\n")[:3] == sentences


def test_mojibake_saved_in_the_page_bytes_is_repaired_in_the_body() -> None:
    text = [f"{s} It’s done." for s in SENTENCES[:3]]
    garbled = "".join(f"<p>{t.encode('utf-8').decode('latin-1')}</p>" for t in text)
    html = f'<html><head><meta charset="utf-8"></head><body><article>{garbled}</article></body></html>'
    event = extract_html(html.encode("utf-8"), URL, fetched="2026-12-04T12:00:00+00:00")
    assert event.body.split("\n\n") == text


def test_text_only_in_script_data_of_a_single_page_app() -> None:
    # Next.js app router: the article is an escaped JSON string inside a JS string, the body empty.
    inner = json.dumps({"article": {"title": "Harbour plan approved", "html": _paragraphs(SENTENCES)}})
    push = json.dumps([1, inner])
    html = _page(f'<div id="__next"></div><script>self.__next_f.push({push})</script>')
    event = _event(html)
    assert event.body.split("\n\n") == SENTENCES
    assert event.extraction is not None and event.extraction.method == "script"


def test_unnamed_comments_after_a_comments_heading_are_cut() -> None:
    replies = _paragraphs([f"{s} Totally agree with this." for s in SENTENCES[3:]])
    html = _page(
        f"<div><h1>Harbour plan approved</h1>{_paragraphs(SENTENCES[:3])}<h3>3 Comments</h3>{replies}</div>"
    )
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


@pytest.mark.parametrize(
    "heading",
    [
        "3 Responses to “Harbour plan approved by the council after a long night of debate”",
        "{ 3 comments… read them below or add one }",
        "3 Comments Add a comment",
        "There are 3 comments",
        "Comments are closed.",
        "Comments (3) Add A Comment",
        "3 Reader Comments",
        "3 appreciated comments on “Harbour plan approved”",
    ],
)
def test_unnamed_comments_after_a_long_or_framed_comments_heading_are_cut(heading: str) -> None:
    # Without a class naming the thread, its heading is what ends the article: templates name the
    # post in it or frame it with the prompt to comment.
    replies = _paragraphs([f"{s} Totally agree with this." for s in SENTENCES[3:]])
    html = _page(
        f"<div><h1>Harbour plan approved</h1>{_paragraphs(SENTENCES[:3])}<h3>{heading}</h3>{replies}</div>"
    )
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def test_a_counted_sentence_about_responses_does_not_end_the_article() -> None:
    # Words between the count and "responses" make a heading only when the line is the heading
    # alone or names the post in quotation marks: a sentence of the story about responses stays.
    line = "3 common responses to the plan were heard at the meeting."
    html = _page(
        f"<div><h1>Harbour plan approved</h1>{_paragraphs([*SENTENCES[:3], line, *SENTENCES[3:5]])}</div>"
    )
    assert _event(html).body.split("\n\n") == [*SENTENCES[:3], line, *SENTENCES[3:5]]


def test_a_counted_subheading_of_a_listicle_does_not_end_the_article() -> None:
    # "3 Official Responses" heads a part of the story; only a word naming the comments' writers
    # ("124 Reader Comments") makes a counted heading with a word between count and word a thread's.
    lines = [*SENTENCES[:3], "3 Official Responses", *SENTENCES[3:6]]
    html = _page(
        f"<div><h1>Harbour plan approved</h1>{_paragraphs(SENTENCES[:3])}"
        f"<h2>3 Official Responses</h2>{_paragraphs(SENTENCES[3:6])}</div>"
    )
    assert _event(html).body.split("\n\n") == lines


def test_a_comment_count_above_the_story_does_not_end_it() -> None:
    # The story's header shows its counts as bare lines ("Views 5835 Comments 11") and no class
    # names them: the comment section's heading is the count's label, not the thread's start.
    counts = "<div><div>Views</div><div>5835</div><div>Comments</div><div>11</div></div>"
    replies = _paragraphs([f"{s} Totally agree with this." for s in SENTENCES[3:]])
    html = _page(
        f"<div>{counts}<h1>Harbour plan approved</h1>{_paragraphs(SENTENCES[:3])}"
        f"<h3>3 Comments</h3>{replies}</div>"
    )
    assert _event(html).body.split("\n\n")[-3:] == SENTENCES[:3]


def test_a_short_line_opening_with_a_comment_word_does_not_end_the_article() -> None:
    # Only a counted section word takes the prompt after it ("Comments (3) Add A Comment"): a
    # line of the story that opens with the word and a prompt's verb is a sentence.
    lines = [*SENTENCES[:2], "Replies post-election were muted.", *SENTENCES[2:4]]
    html = _page(f"<div><h1>Harbour plan approved</h1>{_paragraphs(lines)}</div>")
    assert _event(html).body.split("\n\n") == lines


def test_a_thread_of_time_stamped_replies_without_a_heading_is_cut() -> None:
    # Unnamed comment markup and no heading: each reply opens with its author and posting time.
    replies = _paragraphs(
        [
            f"Reader {i} says: May {4 + i}, 2026 at 8:3{i} am {s} Totally agree."
            for i, s in enumerate(SENTENCES[3:])
        ]
    )
    html = _page(f"<div><h1>Harbour plan approved</h1>{_paragraphs(SENTENCES[:3])}{replies}</div>")
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def test_a_wordy_unnamed_comment_thread_does_not_win_over_the_article() -> None:
    # Many long replies, each opening with its author and posting time, outweigh a short story
    # that a block of labels separates from them; no class names the thread.
    topics = [
        "quay",
        "storm",
        "boat",
        "harbour",
        "vote",
        "fund",
        "loan",
        "winter",
        "pier",
        "crane",
        "tide",
        "fleet",
    ]

    def reply(i: int) -> str:
        return " ".join(
            f"Reader {i} thinks the {topics[(i + k) % 12]} matters more than the {topics[(i * 5 + k) % 12]}."
            for k in range(6)
        )

    items = "".join(
        f"<li><div>Reader {i} says: May {1 + i}, 2026 at 8:{10 + i} am</div><p>{reply(i)}</p></li>"
        for i in range(12)
    )
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    html = _page(f"<div>{_paragraphs(SENTENCES[:3])}</div><ul>{labels}</ul><div><ol>{items}</ol></div>")
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def _threaded_replies(count: int, replies: str) -> str:
    """A list of readers' comments with no class, name or posting time: each item a long comment
    and, nested under it, a list of the same kind holding the ``replies`` (links, or text)."""
    words = ["quay", "storm", "boat", "vote", "fund", "loan", "winter", "pier", "crane", "tide"]

    def comment(i: int) -> str:
        return " ".join(
            f"Reader {i} thinks the {words[(i + k) % 10]} matters less than the {words[(i * 3 + k) % 10]}."
            for k in range(12)
        )

    return "<ul>" + "".join(f"<li><div>{comment(i)}</div>{replies}</li>" for i in range(count)) + "</ul>"


def test_a_threaded_list_of_replies_does_not_win_over_the_article() -> None:
    # A short story, then readers' comments as a list whose items each hold a nested list of
    # replies (threaded), with many times the story's words; no class names the thread and no
    # reply carries a posting time. The thread's shape tells it from the article, and once it
    # is set aside the story is the body even though it is a small part of the page's words.
    reply = "<ul><li><div>I agree with the reader above about the quay and the storms, sadly.</div></li></ul>"
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    story = f"<div><h2>Harbour plan approved</h2>{_paragraphs(SENTENCES[:3])}</div><ul>{labels}</ul>"
    html = _page(f"{story}<div>{_threaded_replies(40, reply)}</div>")
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def test_a_list_of_teasers_with_nested_linked_titles_is_not_a_thread() -> None:
    # A list whose items nest lists of linked titles (a news index's related stories) is not a
    # thread of replies: when it is what the page shows, it stays the body.
    related = '<ul><li><a href="/other">Another story about the harbour</a></li></ul>'
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    teasers = _threaded_replies(6, related)
    html = _page(f"<div><p>{SENTENCES[0]}</p></div><ul>{labels}</ul><div>{teasers}</div>")
    assert "Reader 0 thinks the quay" in _event(html).body


_WORDS_OF_REPLIES = ["quay", "storm", "boat", "vote", "fund", "loan", "winter", "pier", "crane", "tide"]


def _signed_replies(count: int) -> str:
    """List items of readers' replies, each opening with the name and the posting time, then a
    paragraph of eight sentences that differ from reply to reply."""
    words = _WORDS_OF_REPLIES
    return "".join(
        f"<li>Reader {i} Posted May {1 + i}, 2026 at 8:{10 + i} am | Permalink <p>"
        + " ".join(
            f"I think the {words[(i + k) % 10]} matters less than the {words[(i * 3 + k) % 10]}."
            for k in range(8)
        )
        + "</p></li>"
        for i in range(count)
    )


def test_a_list_of_replies_signed_with_a_name_and_a_time_does_not_win() -> None:
    # Readers' comments as a flat list, each item opening with the commenter's name and the posting
    # time but no "says:" ("Jo Bloggs Posted May 4, 2026 at 8:33 am"): in a list, each item is one
    # entry, and a name before the time signs it as a reply (a live blog's entry opens with its time).
    items = _signed_replies(20)
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    html = _page(f"<div>{_paragraphs(SENTENCES[:3])}</div><ul>{labels}</ul><div><ol>{items}</ol></div>")
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def test_a_second_opinion_that_is_the_thread_set_aside_does_not_win() -> None:
    # Once the thread that won is set aside, our body is short and not sure (a box of text elsewhere
    # on the page), so trafilatura is asked; with no names marking the comments, its body is the
    # thread, which reads as more prose than the article's facts but is not the article either.
    items = _signed_replies(20)
    facts = "".join(f"<li>Berth {i}: {100 + 10 * i} metres</li>" for i in range(8))
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    article = f"<div><h1>Harbour plan approved</h1>{_paragraphs(SENTENCES[:2])}<ul>{facts}</ul></div>"
    html = _page(f"{article}<ul>{labels}</ul><div><ol>{items}</ol></div><div><p>{SENTENCES[5]}</p></div>")
    body = _event(html).body
    assert SENTENCES[0] in body
    assert "matters less than" not in body


def test_an_outline_article_under_its_headline_is_not_a_thread() -> None:
    # An article that is an outline, each point with its sub-points nested under it, has the shape
    # of a threaded list of replies; it sits with its headline, a thread in a box of its own. (A
    # column of labels beside it makes the list itself the winner.)
    points = "".join(
        f"<li><p>{s}</p><ul><li>Point {i} applies to the quay.</li><li>And to the pier.</li></ul></li>"
        for i, s in enumerate(SENTENCES[1:])
    )
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    html = _page(
        f"<div><h1>Harbour plan approved</h1><p>{SENTENCES[0]}</p><ul>{points}</ul><ul>{labels}</ul></div>"
    )
    body = _event(html).body
    assert all(sentence in body for sentence in SENTENCES[1:])


@pytest.mark.parametrize(
    "entry",
    [
        "<div><p>{n} minutes ago {s}</p></div>",  # a live blog's entries, newest first
        "<div><p><time>Dec 5, 2026 at 10:{n}</time> {s}</p></div>",
        "<p>March {n}, 2024, 10:15 – {s}</p>",  # a timeline
    ],
)
def test_live_blog_entries_and_timelines_that_open_with_a_time_are_the_article(entry: str) -> None:
    # Paragraph after paragraph opens with a time, as readers' comments do, but no commenter
    # ("Jo says:") is named: the entries are the article, not a thread to cut or to choose against.
    entries = "".join(entry.format(n=10 * (i + 1), s=s) for i, s in enumerate(SENTENCES[1:]))
    html = _page(f"<h1>Harbour vote: live</h1><div><p>{SENTENCES[0]}</p></div><div>{entries}</div>")
    body = _event(html).body
    assert all(sentence in body for sentence in SENTENCES)


def test_an_article_paragraph_that_opens_with_a_date_is_kept() -> None:
    # A dated paragraph or two is the article's chronology, not a thread.
    dated = [f"On May {4 + i}, 2026 at 8:30 am {s}" for i, s in enumerate(SENTENCES[3:5])]
    html = _page(f"<div><h1>Harbour plan approved</h1>{_paragraphs([*SENTENCES[:3], *dated])}</div>")
    assert _event(html).body.split("\n\n") == [*SENTENCES[:3], *dated]


def test_a_subheading_that_is_a_bare_comment_word_does_not_end_the_article() -> None:
    # "Response" or "Reply" alone is an article's subject (an API, a letter), not a comment
    # section: that heading is counted ("3 Comments") or plural ("Comments").
    html = _page(
        f"<article>{_paragraphs(SENTENCES[:3])}<h2>Response</h2>{_paragraphs(SENTENCES[3:5])}"
        f"<h2>Reply</h2>{_paragraphs(SENTENCES[5:])}</article>"
    )
    expected = [*SENTENCES[:3], "Response", *SENTENCES[3:5], "Reply", SENTENCES[5]]
    assert _event(html).body.split("\n\n") == expected


def test_listicle_items_with_headings_are_kept_and_teaser_lists_are_not() -> None:
    # A listicle's items are a heading over a paragraph each; a teaser list has linked headings
    # over a line. Both sit inside the article box.
    items = "".join(f"<li><h3>Point {i}</h3><p>{s}</p></li>" for i, s in enumerate(SENTENCES[2:5]))
    teasers = "".join(
        f'<li><h3><a href="/2026/other-{i}">Other story {i}</a></h3><span>Short line</span></li>'
        for i in range(4)
    )
    html = _page(f"<article>{_paragraphs(SENTENCES[:2])}<ol>{items}</ol><ul>{teasers}</ul></article>")
    body = _event(html).body
    for sentence in SENTENCES[:5]:
        assert sentence in body
    assert "Other story" not in body


def test_the_article_header_stays_out_of_the_body() -> None:
    # Headline, standfirst and byline in the article's <header> are not body text: the body is
    # the text after them, as a standfirst shown there is the event's lead (README: Events).
    standfirst = (
        "The board's decision ends two years of argument over the quay and opens the way to work in spring."
    )
    header = (
        "<header><h1>Harbour plan approved</h1>"
        f"<p>{standfirst}</p><p>By Ann Example, harbour reporter</p></header>"
    )
    event = _event(_page(f"<article>{header}{_paragraphs(SENTENCES)}</article>"))
    assert event.body.split("\n\n") == SENTENCES
    assert "Ann Example" not in event.body and "Harbour plan approved" not in event.body


def test_boxes_whose_overflow_or_label_is_hidden_keep_their_text() -> None:
    # Drupal fields hide their label, CSS utilities their overflow: the text itself shows.
    html = _page(
        '<article><div class="field field--name-summary field--label-hidden">'
        f"<p>{SENTENCES[0]}</p></div>"
        f'<div class="relative overflow-hidden"><p>{SENTENCES[1]}</p></div>'
        '<div class="hidden"><p>Only shown to screen readers, this line is not article text.</p></div>'
        f"{_paragraphs(SENTENCES[2:])}</article>"
    )
    body = _event(html).body
    assert body.split("\n\n") == SENTENCES


def test_page_builder_blocks_are_not_widgets_but_their_share_buttons_are() -> None:
    # Elementor names every block "elementor-widget ..."; its share bar is one of them.
    block = (
        '<div class="elementor-widget elementor-widget-{kind}">'
        '<div class="elementor-widget-container">{inner}</div></div>'
    )
    html = _page(
        "<main>"
        + block.format(kind="text-editor", inner=f"<p>{SENTENCES[0]}</p>")
        + block.format(
            kind="share-buttons", inner="<p>Share this story with your friends and family today.</p>"
        )
        + block.format(kind="text-editor", inner=_paragraphs(SENTENCES[1:]))
        + "</main>"
    )
    assert _event(html).body.split("\n\n") == SENTENCES


def test_a_table_wrapped_in_a_figure_is_kept_and_its_image_figures_are_not() -> None:
    table = (
        '<figure class="wp-block-table"><table><tr><td>Berths before the works</td><td>twelve</td></tr>'
        "<tr><td>Berths after the works</td><td>twenty</td></tr></table>"
        "<figcaption>Source: harbour board</figcaption></figure>"
    )
    photo = '<figure><img src="/quay.jpg"><figcaption>The old quay, seen from the ferry</figcaption></figure>'
    html = _page(f"<article>{_paragraphs(SENTENCES[:3])}{table}{photo}{_paragraphs(SENTENCES[3:])}</article>")
    body = _event(html).body
    assert body.split("\n\n")[5:7] == ["Berths after the works", "twenty"]
    assert "Source: harbour board" not in body and "seen from the ferry" not in body


def test_headings_linking_to_other_sites_are_article_text_and_teasers_of_this_site_are_not() -> None:
    # A guide's sections are headed by links to what they describe; teasers link to the site's stories.
    sections = "".join(
        f'<div><h3><a href="https://maker{i}.example/boat">Boat model {i}</a></h3><p>{s}</p></div>'
        for i, s in enumerate(SENTENCES[2:4])
    )
    teaser = (
        '<div><h3><a href="/2026/12/03/ferry-fares">Ferry fares rise again</a></h3>'
        "<p>Operators blame fuel.</p></div>"
    )
    html = _page(
        f"<article>{_paragraphs(SENTENCES[:2])}{sections}{teaser}{_paragraphs(SENTENCES[4:])}</article>"
    )
    body = _event(html).body
    assert all(sentence in body for sentence in SENTENCES)
    assert "Ferry fares" not in body


def test_an_article_split_over_distant_boxes_gets_the_second_opinion() -> None:
    # The article's second half sits in another branch of the page, below a strip of promo
    # tiles: the container holds part of the text only, so trafilatura is asked and its body,
    # holding both halves, wins.
    more = [
        "The second half of the story sits in a separate box lower down the page, as templates print it.",
        "Council members said the new berths would also serve the ferry line that was cut three winters ago.",
        "Shop owners on the quay welcomed the plan but asked for a parking study before the work begins.",
        "A public meeting on the timetable is set for next month in the town hall, the council said.",
    ]
    tiles = "".join(f'<div class="tile"><span>Promo line {i}</span></div>' for i in range(60))
    html = _page(
        f'<div id="top"><div class="col"><h1>Harbour plan approved</h1>{_paragraphs(SENTENCES)}</div></div>'
        f'<div id="strip">{tiles}</div>'
        f'<div id="rest"><section><div class="col">{_paragraphs(more)}</div></section></div>'
    )
    event = _event(html)
    assert event.body.split("\n\n") == [*SENTENCES, *more]
    assert event.extraction is not None and event.extraction.method == "trafilatura"


def test_article_elements_that_are_a_listicles_items_are_kept_beside_teaser_articles() -> None:
    # Guides mark up each item as an <article> (a heading over a long paragraph); teasers are
    # <article>s too, with a linked heading over a line. Only the teasers are cards.
    long_items = [" ".join(SENTENCES[i:] + SENTENCES[:i]) for i in range(6)]
    items = "".join(
        f"<article class='item'><h3>Pick {i}</h3><p>{text}</p></article>" for i, text in enumerate(long_items)
    )
    teasers = "".join(
        f"<article><h3><a href='/2026/other-{i}'>Other story {i}</a></h3><p>A short line.</p></article>"
        for i in range(3)
    )
    html = _page(f"<main><h1>Harbour guide</h1>{_paragraphs(SENTENCES[:2])}{items}{teasers}</main>")
    body = _event(html).body
    assert body.split("\n\n")[:2] == SENTENCES[:2]
    for text in long_items:
        assert text in body
    assert "Other story" not in body


@pytest.mark.parametrize(
    "shown",
    [
        "<aside><p>The quay reopens on Monday at nine, the harbour board said.</p></aside>",
        "<div class='related'><span>The quay reopens on Monday at nine</span></div>",
    ],
)
def test_a_page_that_shows_only_a_little_text_gets_it_as_its_body(shown: str) -> None:
    # No strategy finds an article (one short line, in a box named like boilerplate), but a
    # reader sees text: the page's longest visible block is the body, with a low confidence.
    event = _event(_page(f"<nav><a href='/'>Home</a></nav>{shown}"))
    assert event.body.startswith("The quay reopens on Monday at nine")
    assert event.extraction is not None
    assert (event.extraction.method, event.extraction.confidence) == ("blocks", 0.1)


def test_a_body_split_into_boxes_named_as_the_story_body_is_joined_in_order() -> None:
    # News templates cut the story into body boxes between modules; the boxes need not be
    # siblings, and the first may hold far less than the rest.
    first = f'<div class="story-body story-body-1">{_paragraphs(SENTENCES[:1])}</div>'
    rest = f'<div class="story-body story-body-2">{_paragraphs(SENTENCES[1:])}</div>'
    html = _page(
        f"<article><h1>Harbour plan approved</h1>{first}"
        f'<div class="inline-module"><span>Sign up for the morning briefing</span></div>'
        f'<div class="supplemental">{rest}</div></article>'
    )
    assert _event(html).body.split("\n\n") == SENTENCES


def test_a_sure_body_that_is_mostly_labels_gets_the_second_opinion() -> None:
    # The container holds all the page's paragraphs, but most of them are a ticker's short
    # labels and the page shows much more text than the body: trafilatura is asked, and its
    # body, the story without the ticker, wins. Without the menu the body is most of the page
    # and stays the container's.
    labels = "".join(f"<p>Market close {i}: index up {i} points</p>" for i in range(12))
    text = "<br><br>".join(SENTENCES)
    story = f'<div id="story"><h1>Harbour plan approved</h1><div class="txt">{text}</div></div>'
    event = _event(_page(f"<nav>{_menu(250)}</nav><div id='ticker'>{labels}</div>{story}"))
    assert event.extraction is not None and event.extraction.method == "trafilatura"
    assert all(sentence in event.body for sentence in SENTENCES)
    assert "Market close" not in event.body
    alone = _event(_page(f"<div id='ticker'>{labels}</div>{story}"))
    assert alone.extraction is not None and alone.extraction.method == "container"


_TEASERS = [
    ("Ferry timetable changes for winter", "The island service drops its late sailing from November."),
    ("Fish market reopens after repairs", "Traders are back under the new roof, with fewer stalls."),
    ("Lighthouse keeper retires at seventy", "Forty years on the rock end with a party at the pier."),
    ("Rowing club wins the coastal cup", "A young crew beat the favourites by half a length."),
]


def test_teaser_cards_after_the_article_go_with_their_labels_when_no_names_say_so() -> None:
    # Boxes with no class or id names: after the story's last paragraph, two label lines and a
    # box of cards of one shape (a linked title over a short line). The walk leaves the cards and
    # labels out as a unit; the same cards with prose after them are inside the article and stay.
    cards = (
        "<div>"
        + "".join(
            f'<div><h3><a href="/2026/11/{i}/story">{title}</a></h3><p>{line}</p></div>'
            for i, (title, line) in enumerate(_TEASERS)
        )
        + "</div>"
    )
    paragraphs = [f"{a} {b}" for a, b in zip(SENTENCES[::2], SENTENCES[1::2], strict=True)]
    story = _paragraphs(paragraphs)
    tree = LexborHTMLParser(_page(f"<div>{story}<p>Share this:</p><h2>Related posts</h2>{cards}</div>"))
    whole: list[str] = []
    assert container_text(tree.body, whole=whole) == paragraphs
    assert whole[len(paragraphs) :] == ["Share this:", "Related posts", *(line for _, line in _TEASERS)]
    inside = LexborHTMLParser(
        _page(f"<div>{_paragraphs(paragraphs[:2])}{cards}{_paragraphs(paragraphs[2:])}</div>")
    )
    assert container_text(inside.body) == [*paragraphs[:2], *(line for _, line in _TEASERS), *paragraphs[2:]]


def _replies_signed_on_lines(count: int) -> list[str]:
    """Readers' replies as a template without class names prints them: the name and the posting
    time on lines of their own ("Reader 3" / "May 4, 2026 at 8:13 am"), no "says:", then the text."""
    words = ["quay", "storm", "boat", "vote", "fund", "loan", "winter", "pier", "crane", "tide"]
    return [
        f"<table><tr><th><div>Reader {i}</div><small>May {1 + i}, 2026 at 8:{10 + i} am</small></th></tr>"
        "<tr><td><p>"
        + " ".join(
            f"I think the {words[(i + k) % 10]} matters less than the {words[(i * 3 + k) % 10]}."
            for k in range(4)
        )
        + "</p></td></tr></table>"
        for i in range(count)
    ]


def test_a_thread_of_signed_replies_after_the_article_is_left_out_of_the_walk() -> None:
    # Inside the winning container, after the article's prose: a box whose children are mostly
    # replies opening with a name and a posting time is a thread, though no class names it.
    article = _paragraphs([SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]])
    replies = "".join(f"<li>{reply}</li>" for reply in _replies_signed_on_lines(6))
    tree = LexborHTMLParser(_page(f"<div>{article}<h2>6 Comments</h2><ul>{replies}</ul></div>"))
    cut: list[str] = []
    blocks = container_text(tree.css_first("body > div"), cut=cut)
    assert blocks == [SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3], "6 Comments"]
    assert "Reader 5" in cut[0]


def test_a_box_holding_the_article_before_the_replies_is_not_a_thread() -> None:
    # The article's own box first, then the replies to it as its siblings: most of the box's children
    # are signed replies, but the article comes before the first of them and stays.
    intro = _paragraphs([SENTENCES[4] + " " + SENTENCES[5]])
    article = f"<div>{_paragraphs([SENTENCES[0] + ' ' + SENTENCES[1], SENTENCES[2]])}</div>"
    replies = "".join(f"<div>{reply}</div>" for reply in _replies_signed_on_lines(6))
    tree = LexborHTMLParser(_page(f"<div>{intro}<div>{article}{replies}</div></div>"))
    blocks = container_text(tree.css_first("body > div"))
    assert SENTENCES[2] in blocks


def test_a_comment_heading_naming_the_post_is_not_the_headline_branch() -> None:
    # "46 Comments on “<headline>”" names the post over the thread: the branch under it is the
    # thread, not the article beside a column.
    article = f"<div>{_paragraphs(SENTENCES)}</div>"
    replies = "".join(f"<div>{reply}</div>" for reply in _replies_signed_on_lines(12))
    thread = f"<div><h2>12 Comments on “Harbour plan approved”</h2>{replies}</div>"
    tree = LexborHTMLParser(_page(f"<h1>Harbour plan approved</h1><div>{article}{thread}</div>"))
    choice = choose_container(tree.body)  # type: ignore[arg-type]
    assert choice.best is not None and choice.best.css_first("h2") is not None
    assert headline_branch(choice, "Harbour plan approved") is None


def test_trafilatura_paragraphs_that_are_the_thread_set_aside_are_left_out() -> None:
    thread = " ".join(_replies_signed_on_lines(2))
    reply = LexborHTMLParser(_replies_signed_on_lines(1)[0]).body.text(deep=True, separator=" ")  # type: ignore[union-attr]
    other = [SENTENCES[0], " ".join(reply.split())]
    assert without_thread(other, LexborHTMLParser(thread).body.text(deep=True, separator=" ")) == [
        SENTENCES[0]
    ]  # type: ignore[union-attr]


def test_replies_signed_with_a_name_and_an_age_are_a_thread() -> None:
    # The posting time as an age on a line under the name ("Reader 3" / "6 months ago") signs a
    # reply as a clock time does (the template's line breaks keep the age apart from the text).
    article = _paragraphs([SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]])
    replies = "".join(
        f"<li>\n<div>Reader {i}</div>\n<div>{i + 2} months ago</div>\n"
        "<p>I think the quay matters less than the pier.</p>\n</li>"
        for i in range(6)
    )
    tree = LexborHTMLParser(_page(f"<div>{article}<ul>{replies}</ul></div>"))
    blocks = container_text(tree.css_first("body > div"))
    assert blocks == [SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]]


def test_a_box_of_signed_replies_between_empty_anchors_does_not_win() -> None:
    # A thread that wins as a <div>: each reply its own box, signed "3 Reader | 5/4/2026 8:13:20 AM"
    # with no "says:", an empty <a name> anchor before each. The anchors have no text and are not
    # unsigned replies; a name before the time signs a reply in any box, not only in a list.
    words = ["quay", "storm", "boat", "vote", "fund", "loan", "winter", "pier", "crane", "tide"]
    replies = "".join(
        f'<a name="c{i}"></a><ol><li>\n<strong>{i} Reader {i}</strong> | 5/{1 + i}/2026 8:{10 + i}:20 AM\n<p>'
        + " ".join(
            f"I think the {words[(i + k) % 10]} matters less than the {words[(i * 3 + k) % 10]}."
            for k in range(8)
        )
        + "</p></li></ol>"
        for i in range(20)
    )
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    html = _page(
        f"<div>{_paragraphs(SENTENCES[:3])}</div><ul>{labels}</ul><div><h3>Comments</h3>{replies}</div>"
    )
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def test_a_live_blog_whose_entries_open_with_one_label_and_a_time_is_the_article() -> None:
    # A live blog labels its entries alike before their time ("Key event · 2 hours ago"): readers
    # sign each comment with a name of their own, so entries opening with one label are not a thread.
    text = " ".join(SENTENCES[:3])
    entries = "".join(
        f"<div><p>Key event · {i + 1} hours ago</p>\n<p>Entry {i}: {text}</p></div>" for i in range(6)
    )
    html = _page(f"<div><p>{' '.join(SENTENCES[3:])}</p><div>{entries}</div></div>")
    assert _event(html).body.count("Entry ") == 6


_REPLY_WORDS = ["quay", "storm", "boat", "vote", "fund", "loan", "winter", "pier", "crane", "tide"]


def _reply_text(i: int) -> str:
    return " ".join(
        f"I think the {_REPLY_WORDS[(i + k) % 10]} matters less than the {_REPLY_WORDS[(i * 3 + k) % 10]}."
        for k in range(3)
    )


# Readers' replies signed deeper in each reply's box than the head of its text: under the text on a
# line of its own, with a name and a date but no clock time on lines of their own over it, or with
# the time over "Name said,".
_DEEP_SIGNATURES = [
    "<div><div><h5>Reply {i}</h5><div><p>{text}</p></div><p>by <a>reader{i}</a> on "
    "<span><a>Aug {day}, 2026 10:{i}5 AM EDT</a></span> <a>reply</a></p></div></div>",
    "<li><div><div><div><a>Reader Number{i}</a></div><div>Aug {day} 2026</div></div>"
    "<div><p>{text}</p></div></div></li>",
    "<li><p>August {day}th, 2026 at 8:{i}8 am</p><p><strong><a>reader{i}</a></strong> said,</p>"
    "<p>{text}</p></li>",
    "<div><div><p>{text}</p></div><div>October {day}, 2026 | <a>Reader {i}</a></div></div>",
]


@pytest.mark.parametrize("reply", _DEEP_SIGNATURES)
def test_replies_signed_on_a_line_of_their_own_deeper_in_their_box_are_left_out(reply: str) -> None:
    article = _paragraphs([SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]])
    replies = "".join(reply.format(i=i, day=i + 2, text=_reply_text(i)) for i in range(6))
    box = "ol" if reply.startswith("<li>") else "div"
    tree = LexborHTMLParser(_page(f"<div>{article}<{box}>{replies}</{box}></div>"))
    cut: list[str] = []
    blocks = container_text(tree.css_first("body > div"), cut=cut)
    assert blocks == [SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]]
    assert len(cut) == 1


def test_a_thread_signed_under_each_reply_that_wins_does_not_hide_the_article() -> None:
    # Without class names a long thread outweighs the article; each reply is signed on its last line.
    replies = "".join(
        _DEEP_SIGNATURES[0].format(i=i, day=i + 2, text=_reply_text(i) + " " + _reply_text(i + 1))
        for i in range(30)
    )
    labels = "".join(f"<li>Label {i}</li>" for i in range(150))
    html = _page(f"<div>{_paragraphs(SENTENCES[:3])}</div><ul>{labels}</ul><div>{replies}</div>")
    assert _event(html).body.split("\n\n") == SENTENCES[:3]


def test_a_post_signed_as_its_replies_before_its_comments_heading_stays() -> None:
    # A template printing the post and its comments as sibling boxes, each signed "Posted by Name at
    # <time>": the box is the article's, not a thread (the comments go at their heading).
    signature = "<p>Posted by Editor at May 1, 2026 5:00 PM</p>"
    post = f"<div><p>Harbour day one</p>{_paragraphs(SENTENCES[:3])}{signature}</div>"
    replies = "".join(
        f"<div><p>{_reply_text(i)}</p>"
        f"<p>Comment #{i} - Posted by: Reader {i} at May {i + 2}, 2026 5:{i}9 PM</p></div>"
        for i in range(40)
    )
    html = _page(f"<div><h2>May 1, 2026</h2>{post}<div>Comments</div>{replies}</div>")
    assert _event(html).body.split("\n\n")[1:] == SENTENCES[:3]


def test_a_thread_cut_with_its_heading_still_ends_the_article() -> None:
    # The comment section's heading inside the cut box is where the article ends: a column after the
    # thread in the same container is not the article either.
    article = _paragraphs([SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]])
    replies = "".join(_DEEP_SIGNATURES[0].format(i=i, day=i + 2, text=_reply_text(i)) for i in range(6))
    about = (
        "<div><p>Jo Harbour writes about ferries, quays and the people who run them, and has done so for"
        " twenty years from a desk above the old fish market, where the gulls are louder than the phones"
        " and the tea is stronger than the coffee. Her first book, on the last of the river ferries, came"
        " out in the spring and is in its third printing.</p></div>"
    )
    tree = LexborHTMLParser(_page(f"<div>{article}<div><h3>6 Comments</h3>{replies}</div>{about}</div>"))
    blocks = container_text(tree.css_first("body > div"))
    assert blocks[:2] == [SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]]
    page = f"<h1>Harbour plan approved</h1><div>{article}<div><h3>6 Comments</h3>{replies}</div>{about}</div>"
    event = _event(_page(page))
    assert "ferries" not in event.body


@pytest.mark.parametrize(
    "entry",
    [
        # Quotes the article shows, each with its attribution and date under it (embedded posts).
        "<blockquote><p>{text}</p>— Reader {i} (@reader{i}) May {day}, 2026</blockquote>",
        # A list of dates with a place each and nothing more (a tour's stops).
        "<li>Town{i}, May {day}, 2026</li>",
    ],
)
def test_dated_lines_of_the_article_after_its_prose_stay(entry: str) -> None:
    article = _paragraphs([SENTENCES[0] + " " + SENTENCES[1], SENTENCES[2] + " " + SENTENCES[3]])
    entries = "".join(entry.format(i=i, day=i + 2, text=_reply_text(i)) for i in range(6))
    box = "ul" if entry.startswith("<li>") else "div"
    tree = LexborHTMLParser(_page(f"<div>{article}<{box}>{entries}</{box}></div>"))
    cut: list[str] = []
    container_text(tree.css_first("body > div"), cut=cut)
    assert cut == []
