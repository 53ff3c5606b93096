"""``newswire parse --explain``: why the extractor chose the body it chose, for developers."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.errors import ExtractError
from newswire.extract import _clean, _container, _depth, _headline_branch, _strategy, _walk
from newswire.extract._html import _article_body, _page_words
from newswire.extract._metadata import parse_metadata
from newswire.extract._nodes import text_of
from newswire.extract._paths import parse_path, read_page
from newswire.extract._text import word_count, words_in

_SHOWN = 10


def _label(node: LexborNode) -> str:
    attrs = node.attributes
    ident = f"#{attrs['id']}" if attrs.get("id") else ""
    classes = "".join(f".{c}" for c in (attrs.get("class") or "").split()[:3])
    return f"<{node.tag}{ident}{classes}>"


def _fresh_tree(html: str) -> LexborHTMLParser:
    """The page parsed as the extractor sees it (scripts and styles gone), for a second decision run."""
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style"):
        node.decompose()
    return tree


def explain_path(path: Path, url: str | None = None) -> str:
    """A report on one saved page: candidate containers with scores, the winner and the method."""
    html = _depth.bounded(read_page(path))  # the markup the extractor parses (a bound on its depth)
    tree = _fresh_tree(html)
    lines = [f"page: {path}"]
    body = tree.body
    if body is None:
        return "\n".join([*lines, "no <body>: nothing to score"])
    failure = ""
    try:
        event = parse_path(path, url=url)
    except ExtractError as exc:
        event, failure = None, str(exc)
    headline = event.title if event is not None else None
    page_words = _page_words(" ".join((body.text(deep=True) or "").split()), headline)
    weighed = page_words  # the page's words the body is weighed against (as _strategy.choose_body)
    kept: list[str] = []  # boxes and lines kept that a name, a tag or a walk rule alone would drop
    _clean.clean_tree(tree, url, kept)
    choice = _container.choose_container(body)
    thread = _clean.thread_around(choice.best) if choice.best is not None else None
    if thread is not None:
        lines.append(
            f"the winner was a thread of readers' comments: {text_of(thread)[:60]!r}; chosen again, "
            "and the page's words (mostly theirs) are not weighed against the body"
        )
        weighed = 0
        thread.decompose()
        choice = _container.choose_container(body)
    ranked = sorted(choice.candidates, key=lambda c: -(c.score if c.score is not None else float("-inf")))
    lines.append(
        "candidates (score = (good - 0.5 x other text) x marker boost; skipped = its bound cannot beat the "
        "winner; "
        f"page paragraph text {choice.page_good:.0f}):"
    )
    for cand in ranked[:_SHOWN]:
        score = "  skipped" if cand.score is None else f"{cand.score:9.0f}"
        total = "      -" if cand.score is None else f"{cand.total:7.0f}"
        lines.append(
            f"  {score}  good {cand.good:7.0f}  linked {cand.neutral:6.0f}  total {total}  "
            f"boost {cand.boost:.1f}  {_label(cand.node)}"
        )
    tangential = [c for c in choice.candidates if _container.is_tangential(c.node)]
    if tangential:
        lines.append(
            "aside from the main content (<aside>, role=complementary: its paragraphs do not lift the boxes "
            "around it): " + ", ".join(f"{_label(c.node)} good {c.good:.0f}" for c in tangential[:_SHOWN])
        )
    if choice.best is None:
        lines.append("winner: none (no paragraph text left after removing boilerplate)")
    else:
        scored = [c for c in ranked if c.score is not None]
        runner_up = f"{scored[1].score:.0f} ({_label(scored[1].node)})" if len(scored) > 1 else "none"
        lines.append(
            f"winner: {_label(choice.best)}, the highest score; runner-up {runner_up}; "
            f"holds {choice.share:.0%} of the page's paragraph text"
        )
        if choice.siblings:
            lines.append("  plus other boxes of the body: " + ", ".join(_label(n) for n in choice.siblings))
    container = _walk.container_text(choice.best, kept)
    words = word_count(container)
    lines.append(f"container text: {words} words of the {page_words} the page shows")
    lines.extend(f"  {note}" for note in kept[:_SHOWN])
    declared = _container.declared_article(choice.best)
    declared_words = words_in(text_of(declared)) if declared else 0
    if declared is not None:
        lines.append(f"the article the markup declares around it: {_label(declared)}, {declared_words} words")
    if (
        choice.best is None
        or choice.share < _strategy.UNSURE_SHARE
        or words < _strategy.UNSURE_VISIBLE * weighed
    ):
        lines.append(
            f"unsure (no winner, share < {_strategy.UNSURE_SHARE:.0%}, or under "
            f"{_strategy.UNSURE_VISIBLE:.0%} of the page's words): the densest-run fallback runs "
            f"and wins when its prose score is > {_strategy.FALLBACK_GAIN}x the container's"
        )
    if choice.best is None or _strategy.ask_second_opinion(container, choice.share, weighed, declared_words):
        lines.append(
            f"not sure enough (share < {_strategy.SECOND_OPINION_SHARE:.0%} or under "
            f"{_strategy.SECOND_OPINION_VISIBLE:.0%} of the page's words, unless mostly prose; or "
            f"mostly not prose and under {_strategy.SECOND_OPINION_PART:.0%} of the page's words; or "
            f"the declared article holds over {_strategy.SECOND_OPINION_DECLARED}x its words): "
            f"trafilatura is asked too and wins when its prose score is > "
            f"{_strategy.SECOND_OPINION_GAIN}x the body found so far, or when it holds most of that "
            "body and adds mostly unlinked text of the cleaned page, when the densest run holds it "
            "and is far longer, or when our container's body holds it and adds only around it"
        )
    branch = _headline_branch.headline_branch(choice, headline)
    if branch is not None:
        lines.append(
            f"the headline's branch: {_label(branch[0])} holds {branch[1]:.0%} of the winner's paragraph "
            "text; trafilatura is asked and the branch is the body when it holds trafilatura's text"
        )
    notes: list[str] = []
    tree = _fresh_tree(html)
    # The declared JSON-LD articleBody takes part in the choice as it does in the event.
    declared_body = _article_body(parse_metadata(LexborHTMLParser(html)))
    _strategy.choose_body(
        tree, html, declared_body, url, page_words=page_words, notes=notes, headline=headline
    )
    lines.extend(f"decision: {note}" for note in notes)
    if event is None:
        lines.append(f"result: {failure}")
    else:
        ext = event.extraction
        method = f"{ext.method} (confidence {ext.confidence:.2f})" if ext else "?"
        paragraphs = len(event.body.split("\n\n"))
        lines.append(f"result: method {method}, {words_in(event.body)} words in {paragraphs} paragraphs")
    return "\n".join(lines)
