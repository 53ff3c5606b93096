"""The headline's branch: a winning container that holds the article and a column beside it.

The article body follows its headline. When the winning container holds the page's displayed
headline below it, and the winner's child holding that headline holds most but not all of the
winner's paragraph text, the rest of the winner is likely other blocks beside the article (a
column of recent posts, a footer of long blurbs) whose paragraphs lifted their common ancestor
above the article. That branch is only a candidate: trafilatura is asked, and the branch is the
body when its text holds trafilatura's (:func:`._second_opinion.confirms`). Where the article
goes on outside the branch, trafilatura's body has that text too, and the winner stays.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from newswire.extract._container import Choice
from newswire.extract._tidy import comments_heading
from newswire.extract._title import shown_in

# The headline's branch holds at least this share of the winner's paragraph text, and less than
# the upper bound (a branch holding all of it is the winner's text already).
BRANCH_MIN = 0.5
BRANCH_MAX = 0.99
_HEADINGS = "h1, h2, [itemprop=headline]"
_MAX_HEADINGS = 40


def headline_branch(choice: Choice, headline: str | None) -> tuple[LexborNode, float] | None:
    """The winner's child that holds the displayed ``headline`` and most of its paragraph text,
    with its share of that text; None when the winner does not hold the headline that way."""
    best = choice.best
    if best is None or not headline:
        return None
    headings = best.css(_HEADINGS)[:_MAX_HEADINGS]
    # A comment section's heading may name the post ("46 Comments on “<headline>”"): it heads the
    # thread under the article, not the article.
    node = next(
        (
            n
            for n in headings
            if shown_in(headline, text := n.text(deep=True)) and not comments_heading(" ".join(text.split()))
        ),
        None,
    )
    if node is None or node.mem_id == best.mem_id:
        return None
    while node.parent is not None and node.parent.mem_id != best.mem_id:
        node = node.parent
    own = choice.good.get(best.mem_id, 0.0)
    share = choice.good.get(node.mem_id, 0.0) / own if own else 0.0
    return (node, share) if BRANCH_MIN <= share < BRANCH_MAX else None
