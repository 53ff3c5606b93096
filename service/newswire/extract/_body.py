"""Main-text extraction on selectolax: the container strategy.

1. Clean (:mod:`._clean`): drop what is never article text: scripts, navigation, asides,
   figures, form controls, hidden elements and containers whose class/id names boilerplate
   (share, related, comments, newsletter, ads, ...), unless such a container holds a large
   part of the page text, which means the name lied.
2. Score containers (:mod:`._container`) by the text of the paragraphs below them
   (Readability's idea), minus their other text, and pick the best one plus
   paragraph-rich siblings.
3. Walk (:mod:`._walk`) the chosen containers in document order and keep paragraphs,
   sub-headings, list items, quotes and text-only blocks, skipping link-heavy and very
   short boilerplate lines.
"""

from __future__ import annotations

from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser

from newswire.extract._clean import clean_tree, thread_around
from newswire.extract._container import choose_container, declared_article
from newswire.extract._headline_branch import headline_branch
from newswire.extract._nodes import text_of
from newswire.extract._text import words_in
from newswire.extract._walk import container_text, replies_after


class SetAside(NamedTuple):
    """Readers' comment threads left out of the body: ``won`` the thread that outweighed the
    article and won the container, set aside before choosing again (the page's words are then
    mostly the readers', not the article's); ``cut`` those the walk left out after the article's
    prose. "" where there was none."""

    won: str
    cut: str

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.won, self.cut) if part)


# What main_text_scored finds: see its docstring.
Found = tuple[list[str], float, int, list[str] | None, list[str], SetAside]


def main_text_scored(
    tree: LexborHTMLParser, url: str | None = None, headline: str | None = None, *, spare_named: bool = False
) -> Found:
    """The main text's paragraphs, the share of the page's paragraph text they came from (0-1),
    the words of the article the markup declares around them (0 when none is declared), the
    text of the displayed ``headline``'s branch of the winner when that branch may be the article
    without a column beside it (:mod:`._headline_branch`; None otherwise), and the paragraphs with
    the teaser boxes after the article left in (:func:`._walk.container_text`), and the readers'
    comment threads set aside (:class:`SetAside`)."""
    body = tree.body
    if body is None:
        return [], 0.0, 0, None, [], SetAside("", "")
    clean_tree(tree, url, spare_named=spare_named)
    choice = choose_container(body)
    # The winner's text, read while scoring, is read again by the thread test and the walk.
    texts = choice.texts
    thread = thread_around(choice.best, texts.get(choice.best.mem_id)) if choice.best is not None else None
    thread_text = ""
    if thread is not None:
        # Readers' comments outweighed the article: choose again without them.
        thread_text = text_of(thread)
        thread.decompose()
        choice = choose_container(body)
        texts = choice.texts
    branch = headline_branch(choice, headline)
    narrower = container_text(branch[0], text=texts.get(branch[0].mem_id)) if branch is not None else None
    declared = declared_article(choice.best)
    declared_words = words_in(texts.get(declared.mem_id) or text_of(declared)) if declared is not None else 0
    whole: list[str] = []
    # Threads of replies the walk leaves out after the article are not the page's article either.
    cut: list[str] = []
    if choice.best is None or not choice.siblings:
        text = texts.get(choice.best.mem_id) if choice.best is not None else None
        alone = container_text(choice.best, whole=whole, cut=cut, text=text)
        return alone, choice.share, declared_words, narrower, whole, SetAside(thread_text, " ".join(cut))
    keep = {n.mem_id: n for n in (choice.best, *choice.siblings)}
    order = [node.mem_id for node in body.traverse() if node.mem_id in keep]
    out: list[str] = []
    for key in order:
        heading = replies_after(keep[key], out)
        if heading is not None:
            cut.append(text_of(keep[key]))  # a thread beside the article, joined for its size
            out.extend(heading)  # where the tidy ends the article
            continue
        out.extend(container_text(keep[key], whole=whole, cut=cut, text=texts.get(key)))
    return out, choice.share, declared_words, narrower, whole, SetAside(thread_text, " ".join(cut))
