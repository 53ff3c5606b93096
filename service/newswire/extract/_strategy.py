"""Which body the event gets: the main container, the densest run, trafilatura's, JSON-LD or script data.

The container strategy runs on every page. When it is unsure (no container, a winner
holding a small share of the page's paragraph text, or a body that is a tiny part of
the words the page shows) the densest-run strategy runs too, and it wins when it holds
clearly more prose (:func:`prose_score`).
A JSON-LD ``articleBody`` clearly longer than the DOM text replaces it (pages that
render the text with scripts). Otherwise, when the body is still doubtful (not clearly the
page's article, or mostly not prose: :func:`ask_second_opinion`), trafilatura gives
a second opinion (:mod:`._second_opinion`), taken when it holds clearly more prose, a fair
amount of text where ours found none, ours and clearly more text the cleaned page shows unlinked
(a list or table article our container cut), a small part of a densest run that ran on into
readers' comments, or the core of our container's body, which adds furniture before or after
it: the ``trafilatura`` method. When it is not taken but reads the same region, our container's
body ends after the last paragraph both share and starts at the first (when that tail or head is
small, and the head is not prose), and its substantial blocks missing between our shared
paragraphs are added (:mod:`._merge`). A sure container that holds the displayed headline in a
branch with most but not all of its text is narrowed to that branch when trafilatura's body lies
within it (:mod:`._headline_branch`). A declared JSON-LD ``articleBody`` that does not replace the body
ends and starts it the same way, before trafilatura is considered. A page with no text at all
gets the most prose-like string of its inline script data (single-page apps), the ``script``
method.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newswire.events import Extraction
from newswire.extract import _body, _density, _merge, _script_data, _second_opinion
from newswire.extract._text import word_count

# Below this share of the page's paragraph text in the winning container, look again.
UNSURE_SHARE = 0.5
# ... or when the body is this small a part of the words the page shows.
UNSURE_VISIBLE = 0.03
# How many times the densest run's words a container found with named boxes kept must hold to
# replace it (``_spared_names``).
SPARED_GAIN = 1.3
# The fallback's prose score must be this many times the container's to replace its body.
FALLBACK_GAIN = 1.5
# Below this share, or this part of the page's words, trafilatura is asked too ...
SECOND_OPINION_SHARE = 0.9
SECOND_OPINION_VISIBLE = 0.05
# ... unless the body is fairly sure (share at least this) and mostly prose (prose ratio at least this) ...
SECOND_OPINION_SURE_SHARE = 0.8
SECOND_OPINION_PROSE_OK = 0.8
# ... and also when the body is mostly not prose (menus, labels, a list of links kept by the walk)
# while the page shows much more text than the body.
SECOND_OPINION_PROSE_POOR = 0.3
SECOND_OPINION_PART = 0.6
# ... and also when the article the markup declares around the body (<article>, <main>, articleBody)
# holds this many times the body's words after cleaning: the walk or the container missed part of it.
SECOND_OPINION_DECLARED = 1.3
# ... and, where ours holds no sentence (nothing, or labels only), when it has at least this many words.
SECOND_OPINION_RESCUE_WORDS = 40
# ... and also when a container's body ends in lines that are not prose (after its last prose
# paragraph) holding at least this part of its characters: a form, a blogroll, a disclaimer ...
SECOND_OPINION_TAIL = 0.15
# ... or at least this many such lines holding at least this part: a run of short furniture lines
# (share buttons' labels, tags, "Posted in" and copyright lines) after a long article.
SECOND_OPINION_TAIL_LINES = 3
SECOND_OPINION_TAIL_RUN = 0.07
# Its body wins when its prose score is this many times the body found so far.
SECOND_OPINION_GAIN = 1.3
_LD_GAIN = 1.3
_LD_MIN_TOKENS = 30


def prose_score(paragraphs: list[str]) -> int:
    """Characters in prose paragraphs (long, ending like a sentence) minus those in the rest.

    The criterion between two candidate bodies: the one that kept more running text and
    less menu, label and teaser text is the one that missed less of the article.
    """
    prose = sum(len(p) for p in paragraphs if _merge.is_prose(p))
    return 2 * prose - sum(len(p) for p in paragraphs)


def _prose_ratio(paragraphs: list[str]) -> float:
    """The prose score per character of the body: 1 for running text only, -1 for none."""
    return prose_score(paragraphs) / (sum(len(p) for p in paragraphs) or 1)


def ask_second_opinion(
    paragraphs: list[str], confidence: float, page_words: int, declared_words: int = 0
) -> bool:
    """Whether the body found so far is doubtful enough to be worth trafilatura's time.

    Doubtful: a body that is not clearly the page's article (a small share of its paragraph
    text, or of its words), unless that body is fairly sure and reads as running text; a
    body that is mostly not prose while the page shows much more; or a body clearly smaller
    than the article the page's markup declares around it (``declared_words``, cleaned).
    The trigger is cheap (no parse) and is what keeps the slow second opinion on a small
    minority of pages.
    """
    if not paragraphs:
        return True
    words = word_count(paragraphs)
    if declared_words > SECOND_OPINION_DECLARED * words:
        return True
    ratio = _prose_ratio(paragraphs)
    unsure = confidence < SECOND_OPINION_SHARE or words < SECOND_OPINION_VISIBLE * page_words
    prose_ok = confidence >= SECOND_OPINION_SURE_SHARE and ratio >= SECOND_OPINION_PROSE_OK
    if unsure and not prose_ok:
        return True
    return ratio < SECOND_OPINION_PROSE_POOR and words < SECOND_OPINION_PART * page_words


def ends_in_furniture(paragraphs: list[str]) -> bool:
    """Whether the body goes on after its last prose paragraph with lines that are not prose,
    holding ``SECOND_OPINION_TAIL`` or more of its characters, or ``SECOND_OPINION_TAIL_LINES`` or
    more lines holding ``SECOND_OPINION_TAIL_RUN`` (where the article ends is then worth a second
    reading: :func:`._second_opinion.cut_after_shared`). A long article's furniture is a small part
    of it in characters, but seldom a single line."""
    total = sum(len(p) for p in paragraphs)
    last = max((i for i, p in enumerate(paragraphs) if _merge.is_prose(p)), default=-1)
    tail = paragraphs[last + 1 :]
    chars = sum(len(p) for p in tail)
    if not total:
        return False
    if chars >= SECOND_OPINION_TAIL * total:
        return True
    return len(tail) >= SECOND_OPINION_TAIL_LINES and chars >= SECOND_OPINION_TAIL_RUN * total


def _second_opinion_wins(ours: list[str], other: list[str], method: str, tree: LexborHTMLParser) -> str:
    """Why trafilatura's body replaces ours ("" when it does not), for ``--explain``."""
    # Where ours found nothing, or only labels ("Related articles", "4 min read") with no sentence
    # among them, a fair amount of text trafilatura found (not a menu's few words) beats it.
    if word_count(other) >= SECOND_OPINION_RESCUE_WORDS and not any(map(_density.reads_as_text, ours)):
        return f"it wins: ours holds no sentence and it has {SECOND_OPINION_RESCUE_WORDS}+ words"
    if _second_opinion.adds_tail_of_lines(ours, other):
        return ""
    theirs, own = prose_score(other), prose_score(ours)
    if theirs > SECOND_OPINION_GAIN * max(own, 0) and not _second_opinion.same_reading(ours, other):
        return f"it wins: prose score {theirs} > {SECOND_OPINION_GAIN}x ours ({own})"
    kept = _second_opinion.superset_kept_share(ours, other, tree.body)
    if kept is not None and kept >= _second_opinion.SUPERSET_KEPT:
        return (
            f"it wins: it holds {_second_opinion.SUPERSET_SHARE:.0%}+ of ours, is "
            f"{_second_opinion.SUPERSET_GAIN}x+ our words, and {kept:.0%} of what it adds is unlinked "
            "text of the cleaned page (a list or table article our container cut)"
        )
    if method == "blocks" and _second_opinion.ran_over(ours, other):
        return (
            f"it wins: the densest run holds it and is {_second_opinion.OVERRUN_RATIO}x+ its words "
            "(the run went on into readers' comments)"
        )
    if method == "container" and _second_opinion.is_core_of(ours, other):
        return (
            f"it wins: ours holds {_second_opinion.SUPERSET_SHARE:.0%}+ of it and is "
            f"{_second_opinion.SUPERSET_GAIN}x+ its words, the more before or after the paragraphs "
            "both share (a container one box too wide)"
        )
    return ""


def _cut_edges(
    paragraphs: list[str],
    other: list[str],
    notes: list[str] | None,
    *,
    sure: bool,
    reader: str = "trafilatura's body",
) -> list[str]:
    """Our container's body ended after the last paragraph trafilatura's body shares and started at
    the first (see :func:`._second_opinion.cut_after_shared`), with ``--explain`` notes on each cut.

    A head that is mostly prose stays (standfirsts and intros are where the two readers disagree,
    and they are article text); on a ``sure`` body (trafilatura asked only because it ends in
    furniture) so does a tail that is mostly prose: there trafilatura more likely stopped early (a
    "Read more" line, a paywall box).
    """
    shared = _second_opinion.shared_paragraphs(paragraphs, other)
    kept = _second_opinion.cut_after_shared(paragraphs, other, shared)
    if sure and prose_score(paragraphs[len(kept) :]) > 0:
        kept = paragraphs
    if notes is not None and len(kept) < len(paragraphs):
        notes.append(
            f"our body ends after the last paragraph {reader} shares: "
            f"{len(paragraphs) - len(kept)} paragraphs after it cut (at most "
            f"{_second_opinion.EDGE_CUT:.0%} of our text" + (", mostly not prose)" if sure else ")")
        )
    # Nothing cut after: the same body, whose shared paragraphs are known.
    started = _second_opinion.cut_before_shared(kept, other, shared if kept is paragraphs else None)
    if prose_score(kept[: len(kept) - len(started)]) > 0:
        return kept
    if notes is not None and len(started) < len(kept):
        notes.append(
            f"our body starts at the first paragraph {reader} shares: "
            f"{len(kept) - len(started)} paragraphs before it cut (mostly not prose, at most "
            f"{_second_opinion.EDGE_CUT:.0%} of our text)"
        )
    return started


def _edges_of_whole(
    whole: list[str], ours: list[str], other: list[str], notes: list[str] | None
) -> list[str]:
    """Our body's edges cut where trafilatura's body ends, judged on the walk's whole body (teaser
    boxes after the article left in, as trafilatura read them beside it), then without the boxes.

    Judged on our cut body, the prose of an author box left below the article can keep a tail that
    the boxes' lines made read as furniture.
    """
    edged = _cut_edges(whole, other, notes, sure=True)
    if len(edged) == len(whole):
        return ours
    start = next((i for i in range(len(whole) - len(edged) + 1) if whole[i : i + len(edged)] == edged), 0)
    kept: list[int] = []
    at = 0
    for index, line in enumerate(whole):
        if at < len(ours) and line == ours[at]:
            kept.append(index)
            at += 1
    return [whole[i] for i in kept if start <= i < start + len(edged)]


def _branch_note(confirmed: bool, branch: list[str]) -> str:
    if confirmed:
        return (
            f"the headline's branch ({word_count(branch)} words) holds "
            f"{_second_opinion.BRANCH_CONFIRM:.0%}+ of trafilatura's text: it is the body, "
            "the rest of the winner is a column beside the article"
        )
    return "the headline's branch does not hold trafilatura's text: the whole winner stays"


def _spared_names(
    html: str, url: str | None, headline: str | None, page_words: int, dense: list[str]
) -> (
    tuple[LexborHTMLParser, tuple[list[str], float, int, list[str] | None, list[str], _body.SetAside]] | None
):
    """The container found on a fresh tree whose boxes named as boilerplate were kept, when it is
    sure (most of the page's paragraph text, 3%+ of its words), holds the ``dense`` run's text (40+
    words) and ``SPARED_GAIN`` times its words or more: an article of short lines (a playlist, a list of
    places) has no long paragraphs to spare the box around it from its name ("one-sidebar",
    "widget", "promoted"), so the first cleaning leaves no article, and the
    densest run, which weighs prose, keeps only its opening paragraphs. Where the container adds
    little to that run, the run found the article, and the boxes the names spared are a teaser or
    a button beside it; where it does not hold the run, or there is no run, it is some other box
    the names spared (a sidebar's "About" box)."""
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style"):
        node.decompose()
    found = _body.main_text_scored(tree, url, headline, spare_named=True)
    paragraphs, share = found[0], found[1]
    words = word_count(paragraphs)
    if not paragraphs or share < UNSURE_SHARE or words < UNSURE_VISIBLE * page_words:
        return None
    if words < SPARED_GAIN * word_count(dense) or not _second_opinion.confirms(paragraphs, dense):
        return None
    return tree, found


def choose_body(
    tree: LexborHTMLParser,
    html: str,
    ld_body: list[str],
    url: str | None = None,
    *,
    page_words: int = 0,
    notes: list[str] | None = None,
    headline: str | None = None,
) -> tuple[list[str], Extraction]:
    """The body paragraphs and how they were found. ``tree`` is cleaned in place.

    ``page_words`` counts the words of the page's visible text (before cleaning); ``notes``,
    when given, gets a line on the second opinion's verdict (``--explain``). ``headline`` is the
    displayed headline: a winner that holds it in a branch with most but not all of its text is
    narrowed to that branch when trafilatura's body lies within it (:mod:`._headline_branch`).
    """
    paragraphs, share, declared_words, narrower, whole, aside = _body.main_text_scored(tree, url, headline)
    if aside.won:
        # Readers' comments outweighed the article: the page's words are mostly theirs (in this
        # thread and in others beside it), so the body's part of them says nothing about it.
        page_words = 0
    teasers_cut = len(whole) > len(paragraphs)
    method = "container"
    confidence = round(share, 3)
    words = word_count(paragraphs)
    if not paragraphs or share < UNSURE_SHARE or words < UNSURE_VISIBLE * page_words:
        dense = _density.densest_run(html)
        retry = _spared_names(html, url, headline, page_words, dense)
        if retry is not None:
            tree, (paragraphs, share, declared_words, narrower, whole, spared_aside) = retry
            aside = aside if aside.text else spared_aside
            teasers_cut = len(whole) > len(paragraphs)
            # Found only by keeping boxes named as furniture: never sure enough to skip the second
            # opinion, which judges where the article ends.
            confidence = round(min(share, UNSURE_SHARE), 3)
            if notes is not None:
                notes.append(
                    "cleaned again keeping boxes named as furniture: a container of "
                    f"{word_count(paragraphs)} words that holds the densest run and {SPARED_GAIN}x its "
                    f"{word_count(dense)} words or more: it is the body"
                )
        won = retry is None and prose_score(dense) > FALLBACK_GAIN * max(prose_score(paragraphs), 0)
        if notes is not None and retry is None:
            notes.append(
                f"densest run: {word_count(dense)} words, prose score {prose_score(dense)} against the "
                f"container's {prose_score(paragraphs)}: " + ("it wins" if won else "the container stays")
            )
        if won:
            paragraphs, method = dense, "blocks"
            confidence = round(min(share, 0.5), 3)
    askable = not _second_opinion.too_large(html)
    if (
        method == "container"
        and teasers_cut
        and askable
        and ask_second_opinion(whole, confidence, page_words, declared_words)
    ):
        # An unsure body goes to the second reading whole: which reader wins, and where the
        # article ends, are judged there on the text the walk saw, teaser boxes and all.
        paragraphs = whole
    ld_tokens = word_count(ld_body)
    if ld_tokens > _LD_GAIN * word_count(paragraphs) and ld_tokens >= _LD_MIN_TOKENS:
        return ld_body, Extraction(method="json-ld", confidence=0.9)
    if method == "container" and ld_body:
        # The publisher's own declaration of the article's text is a second reading too.
        paragraphs = _cut_edges(paragraphs, ld_body, notes, sure=True, reader="the JSON-LD articleBody")
    asked = askable and ask_second_opinion(paragraphs, confidence, page_words, declared_words)
    # A sure body that ends in furniture asks trafilatura only where the article ends.
    # Judged with the teaser boxes after the article left in: they are furniture the walk saw too.
    tail = (
        askable
        and method == "container"
        and not asked
        and ends_in_furniture(whole if teasers_cut else paragraphs)
    )
    branch = narrower if method == "container" and askable else None
    if notes is not None and not askable:
        notes.append(f"trafilatura is not asked: the page holds more than {_second_opinion.MAX_TAGS:,} tags")
    elif notes is not None and not asked:
        notes.append(
            "trafilatura is not asked: the body found so far is sure enough"
            + ("; it is asked on the headline's branch only" if branch is not None else "")
            + (
                f"; it is asked where the article ends (the body ends in {SECOND_OPINION_TAIL:.0%}+ "
                f"of lines that are not prose, or in {SECOND_OPINION_TAIL_LINES}+ such lines holding "
                f"{SECOND_OPINION_TAIL_RUN:.0%}+)"
                if tail
                else ""
            )
        )
    if asked or branch is not None or tail:
        other = _second_opinion.trafilatura_paragraphs(html, url)
        why = _second_opinion_wins(paragraphs, other, method, tree) if asked else ""
        thread = aside.text
        if why and thread and _second_opinion.reads_thread(other, thread):
            # The readers' threads set aside are not the article either.
            why = ""
            if notes is not None:
                notes.append(
                    f"trafilatura's body: {word_count(other)} words, mostly the thread set aside: ours stays"
                )
        elif notes is not None and asked:
            notes.append(f"trafilatura's body: {word_count(other)} words; " + (why or "ours stays"))
        if why:
            paragraphs, method = other, "trafilatura"
            confidence = round(min(share, 0.5), 3)
        else:
            if thread:
                # Where trafilatura keeps the thread set aside, its replies are not the article's
                # text for our body to hold or to take.
                other = _second_opinion.without_thread(other, thread)
            if branch is not None:
                confirmed = _second_opinion.confirms(branch, other)
                if notes is not None:
                    notes.append(_branch_note(confirmed, branch))
                if confirmed:
                    paragraphs = branch
            if method == "container" and tail and teasers_cut:
                paragraphs = _edges_of_whole(whole, paragraphs, other, notes)
            elif method == "container" and (asked or tail):
                paragraphs = _cut_edges(paragraphs, other, notes, sure=not asked)
            if asked:
                paragraphs = _merge.merge_second_opinion(paragraphs, other)
    if not paragraphs:
        scripted = _script_data.script_text(html)
        if scripted:
            return scripted, Extraction(method="script", confidence=0.3)
    return paragraphs, Extraction(method=method, confidence=confidence)  # type: ignore[arg-type]
