"""The body container search skips containers that cannot win; it must pick what scoring all would.

``_best_container`` scores containers best bound first and stops early. The oracle here
scores every container in the order they were found, as the search did before, and the
two must agree on generated pages built to make ties and near-ties common: nested
wrappers, equal paragraphs, link-heavy asides, body-marker classes, several articles.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newswire.extract import _container
from newswire.extract._nodes import text_of, text_size

WORDS = ["alpha", "beta", "gamma", "delta", "news", "report", "said", "market", "city", "東京"]


def exhaustive_best(body: LexborNode) -> LexborNode | None:
    """Every container scored in the order found; the first strictly best wins. A paragraph in an
    ``<aside>`` credits the boxes up to that aside only, and the scores of the aside and of every
    box inside it are weakened."""
    good: dict[int, float] = {}
    neutral: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    set_aside: set[int] = set()
    for para, weight, other in _container._good_paragraphs(body):
        parent = para.parent
        credited: list[int] = []
        for _ in range(_container._MAX_CONTAINER_LEVELS):
            if parent is None or parent.tag in {"html", "#document"}:
                break
            nodes[parent.mem_id] = parent
            good[parent.mem_id] = good.get(parent.mem_id, 0.0) + weight
            neutral[parent.mem_id] = neutral.get(parent.mem_id, 0.0) + other
            credited.append(parent.mem_id)
            if parent.tag == "aside":
                set_aside.update(credited)
                break
            parent = parent.parent
    if not good:
        return None
    best, best_score, top = None, float("-inf"), max(good.values())
    for key, value in good.items():
        if value <= 0 or value < _container._MIN_SHARE * top:
            continue
        total = text_size(text_of(nodes[key]))
        score = value - _container._NOISE * max(total - value - neutral[key], 0.0)
        if _container._is_body_marker(nodes[key]):
            score *= _container._MARKER_BOOST
        if key in set_aside:
            score *= _container._ASIDE_WEIGHT
        if score > best_score:
            best, best_score = nodes[key], score
    return _container._first_of_several(best, good) if best is not None else None


sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=40).map(" ".join)


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    text = draw(sentence)
    if draw(st.booleans()):
        text = f'{text} <a href="/x">{draw(sentence)}</a>'
    return f"<p>{text}</p>"


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(["div", "section", "article", "aside", "div"]))
    cls = draw(st.sampled_from(["", "story-body", "content", "teaser", "article-text", "col"]))
    # Repeating one paragraph makes equal scores, the case where the order of scoring matters.
    same = draw(paragraph())
    children = draw(
        st.lists(
            st.one_of(paragraph(), st.just(same), st.just(same))
            if depth >= 3
            else st.one_of(paragraph(), st.just(same), block(depth + 1)),
            min_size=1,
            max_size=5,
        )
    )
    attrs = f' class="{cls}"' if cls else ""
    return f"<{tag}{attrs}>{''.join(children)}</{tag}>"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(block(), min_size=1, max_size=4))
def test_pruned_search_picks_what_scoring_every_container_picks(blocks: list[str]) -> None:
    html = f"<html><body>{''.join(blocks)}</body></html>"
    # Two parses of the same page: node identities are per tree, positions are comparable.
    fast_tree, slow_tree = LexborHTMLParser(html), LexborHTMLParser(html)
    assert fast_tree.body is not None and slow_tree.body is not None
    fast = _container._best_container(fast_tree.body)
    slow = exhaustive_best(slow_tree.body)
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast.html == slow.html
        assert _path(fast) == _path(slow)


def _path(node: LexborNode) -> list[int]:
    """The node's position: child indexes from the root, so equal markup elsewhere does not pass."""
    path = []
    while node.parent is not None:
        siblings = [c for c in node.parent.iter() if c.tag == node.tag]
        path.append(next(i for i, c in enumerate(siblings) if c.mem_id == node.mem_id))
        node = node.parent
    return path


def test_a_tie_goes_to_the_container_found_first_even_when_scored_later() -> None:
    # A marked wrapper (bound 1.5 × its text) scored first, whose noise (a link list) brings its
    # score down to exactly that of the plain inner container found before it: the inner one must
    # win, as it did when containers were scored in the order found. The filler length that makes
    # the tie is searched for, not assumed.
    para = "<p>" + " ".join(["report"] * 16) + "</p>"

    def score(node: LexborNode, found: list[tuple[LexborNode, int, int]]) -> float:
        good = sum(w for p, w, _ in found if _container._contains(node, p))
        other = sum(o for p, _, o in found if _container._contains(node, p))
        noise = max(text_size(text_of(node)) - good - other, 0)
        boost = _container._MARKER_BOOST if _container._is_body_marker(node) else 1.0
        return (good - _container._NOISE * noise) * boost

    for filler in range(1, 400):
        html = (
            f'<html><body><div class="story-body"><div>{para}</div>'
            f"<div><a href='/more'>{'x' * filler}</a></div></div></body></html>"
        )
        body = LexborHTMLParser(html).body
        assert body is not None
        outer = body.css_first("div.story-body")
        inner = body.css_first("p").parent  # css_first on outer would match outer itself
        found = _container._good_paragraphs(body)
        if score(outer, found) == score(inner, found):
            break
    else:
        raise AssertionError("no filler length ties the two containers")
    best = _container._best_container(body)
    assert best is not None and best.mem_id == inner.mem_id
    slow = exhaustive_best(LexborHTMLParser(html).body)
    assert slow is not None and slow.html == best.html
