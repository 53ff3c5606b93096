"""The shortcuts the body modules take to read a node give the answers of the plain reading.

Small subtrees are walked instead of queried with a selector, and size limits read a prefix
of a node's text first; either going wrong would change which text a page's body keeps.
"""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.extract._nodes import (
    BLOCK_SELECTOR,
    INLINE,
    BlocksBelow,
    is_inline,
    link_chars,
    text_of,
    text_size,
    text_size_over,
)


def _node(html: str, selector: str) -> LexborNode:
    node = LexborHTMLParser(html).css_first(selector)
    assert node is not None
    return node


def _queried_link_chars(node: LexborNode) -> int:
    return sum(text_size(text_of(a)) for a in node.css("a"))


def _queried_inline(node: LexborNode) -> bool:
    return node.tag in INLINE and (node.tag == "br" or node.css_first(BLOCK_SELECTOR) is None)


@pytest.mark.parametrize("depth", [1, 5, 23, 24, 25, 60])
def test_link_chars_and_inline_agree_with_a_selector_query_at_every_subtree_size(depth: int) -> None:
    inner = "<em>word</em> " * depth
    pages = {
        "links": f"<p>Text <span>{inner}<a href='/x'>linked words</a></span> and <a href='/y'>more</a></p>",
        "block inside": f"<div><span id='s'>{inner}<div>a block</div></span></div>",
        "anchor itself": f"<p><a id='a' href='/z'>{inner}</a></p>",
    }
    for html in pages.values():
        tree = LexborHTMLParser(html)
        for node in tree.root.traverse() if tree.root is not None else []:
            assert link_chars(node) == _queried_link_chars(node)
            assert is_inline(node) == _queried_inline(node)
    assert not is_inline(_node(pages["block inside"], "#s"))
    assert link_chars(_node(pages["anchor itself"], "#a")) == len(
        text_of(_node(pages["anchor itself"], "#a"))
    )


@pytest.mark.parametrize("order", ["document", "reversed"])
def test_the_memo_of_blocks_below_agrees_with_a_selector_query_in_any_order(order: str) -> None:
    # Nested inline elements around text, around a block deep down, beside and inside each other:
    # a memo that marked a wrong element would flip whether a <span> is part of its parent's text.
    deep = "<span><b>" * 30
    html = (
        f"<div><span id='a'>{deep}<i>lead</i> words {'</b></span>' * 30}"
        f"<em>{deep}<p>a block deep down</p>{'</b></span>' * 30}</em>"
        f"<span>{'<a>link</a> ' * 40}</span></span>"
        f"<font>{deep}plain</font><span>{deep}<div>box</div> after</span></div>"
    )
    tree = LexborHTMLParser(html)
    nodes = list(tree.root.traverse()) if tree.root is not None else []
    blocks = BlocksBelow()
    for node in nodes if order == "document" else nodes[::-1]:
        assert is_inline(node, blocks) == _queried_inline(node)
    assert not is_inline(_node(html, "#a"), BlocksBelow())


@pytest.mark.parametrize(
    "text",
    [
        "short",
        "word " * 400,
        " " * 5000 + "word " * 50,  # a long whitespace run: the prefix holds little text
        "東京" * 300,  # CJK characters count thrice
        "a\u00a0b\u3000c " * 700,  # non-ASCII whitespace collapses as str.split() does
    ],
)
@pytest.mark.parametrize("limit", [0, 40, 499, 500, 2_000])
def test_text_size_over_is_the_size_of_the_tidied_text(text: str, limit: int) -> None:
    node = _node(f"<div id='d'>{text}<span>{text[:30]}</span></div>", "#d")
    assert text_size_over(node, limit) == (text_size(text_of(node)) > limit)
