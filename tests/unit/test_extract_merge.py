"""trafilatura's blocks missing from our body are merged in when both read the same article."""

from __future__ import annotations

from newswire.extract import extract_html
from newswire.extract._merge import merge_second_opinion
from tests.support.harbour_story import SENTENCES as STORY
from tests.support.harbour_story import URL

# The story without its spring-works and appeal sentences.
SENTENCES = [*STORY[:3], STORY[4]]
# A long block of the article that sits in a box named like an advert ("promo"): our cleaner
# drops it, trafilatura keeps it.
TICKETS = (
    "Tickets for the opening of the new quay cost five euros, children go free, and the boats of the"
    " harbour will be open to visitors for the whole afternoon of the first Saturday in June"
)


def test_a_block_trafilatura_keeps_between_our_paragraphs_is_added_in_its_place() -> None:
    # Subheadings make the body less than fully prose and a huge menu makes it a small part of
    # the page's words, so the second opinion is asked; its body is ours plus one block, not
    # clearly more prose, so ours stays and gains the block where the article has it.
    nav = (
        "<nav>"
        + "".join(f"<a href='/s{i}'>Section number {i} of the site</a> " for i in range(500))
        + "</nav>"
    )
    story = (
        f"<h2>How the members of the board voted on Thursday</h2><p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p>"
        f"<div class='promo'><p>{TICKETS}</p></div>"
        f"<h2>Who pays for the new quay and the works</h2><p>{SENTENCES[2]}</p>"
        f"<h2>What the neighbours asked of the board</h2><p>{SENTENCES[3]}</p>"
    )
    html = (
        f"<html><head><title>Harbour plan approved</title></head><body>{nav}"
        f"<article><h1>Harbour plan approved</h1><div class='story'>{story}</div></article></body></html>"
    )
    event = extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00")
    body = event.body.split("\n\n")
    assert event.extraction is not None and event.extraction.method == "container"
    assert body[1:5] == [SENTENCES[0], SENTENCES[1], TICKETS, "Who pays for the new quay and the works"]
    assert body[-1] == SENTENCES[3]


def test_only_substantial_blocks_between_shared_paragraphs_are_merged() -> None:
    ours = SENTENCES[:3]
    caption = "The old quay in a winter storm (photo: port)"
    teaser = (
        "Read next: the ferry company adds a winter crossing on Sundays from next year, and the"
        " market hall closes for repairs in February."
    )
    other = [teaser, SENTENCES[0], caption, TICKETS, SENTENCES[1], SENTENCES[2], teaser]
    assert merge_second_opinion(ours, other) == [SENTENCES[0], TICKETS, SENTENCES[1], SENTENCES[2]]


def test_a_second_opinion_about_another_region_leaves_our_body_alone() -> None:
    # Under 60% of our text is in trafilatura's: it read something else, nothing is merged.
    other = [
        SENTENCES[0],
        TICKETS,
        "A different story about the regional ferry timetable and its winter crossings.",
    ]
    assert merge_second_opinion(SENTENCES, other) == SENTENCES
