"""Clean-up of the body's paragraphs once the container is chosen.

Drops what survives container choice but is not article text: the headline again, byline lines,
the second copy of a passage the page prints twice, readers' comments after a comment-section
heading, short sign-up pitches under the article's last paragraph of prose, and headings or labels
("Read more:") left at the very end with nothing below them, unless they are the last items of a
list the article began above them, or preformatted text (a command). A short label ending in a colon
inside the body stays: it introduces what follows ("Pros:", "Supported platforms include:").
"""

from __future__ import annotations

import functools
import re

from newswire.extract._title import norm

_BYLINE_MAX = 120
# A paragraph of prose: this long and ending a sentence (the walk's measure of one).
_PROSE_LINE = 200
_TAIL_HEADING_MAX = 60
# Short lines left at the end are labels ("Share this:", "Tags") when a few; this many in a row
# are the article's own list or table (ingredients, a table's rows) and stay. Fewer stay when they
# go on a list begun above them (:func:`_list_goes_on`).
_TAIL_LIST = 10
# The share of the body's characters above a comment section's heading that leaves it a counter in
# the story's header, when no paragraph of prose stands above it.
_COUNTER_TOP = 0.15
# A line of running text: this long and ending a sentence (a caption or a count is shorter).
_RUNNING_LINE = 80
# A counted comment section's heading can name the post ("42 Responses to “<headline>”"): the
# count and the preposition say what it is, so the headline after them may be long.
_NAMED_HEADING_MAX = 240
# The heading of a comment section ("12 Comments", "Leave a Reply", "3 thoughts on ..."). A count
# may be followed by the prompt beside it ("126 Comments Add a comment", "3 Comments leave one",
# "Comments (3) Add a comment"); the bare word only with its count, or a sentence opening with
# "Replies post..." would end the article. A word naming who wrote them may stand between the
# count and the word in a heading alone ("124 Reader Comments", "8 Approved Comments"), and any one or
# two words in a heading that names the post in quotation marks ("8 appreciated comments on
# “<headline>”"): "3 Official Responses" is a listicle's subheading and "5 common responses to stress
# are ..." a sentence.
_COMMENTS_HEADING = re.compile(
    r"^(?:(?:comments|responses|replies|reader comments"
    r"|kommentare|commentaires|comentarios)\s*(?:\(\d+\):?(?:\W+(?:add|leave|post|read|join)\b.*)?|:)?"
    r"|\d+\s+(?:comments?|responses?|replies|reply)\b(?:\s*(?:\(\d+\))?:?|\W+(?:add|leave|post|read|join)\b.*)"
    r"|\d+\s+(?:comments?|responses?|replies|thoughts?)\s+(?:on|to)\b.*"
    r"|\d+\s+(?:readers?'?|reader's|users?|visitors?|guests?|approved)\s+(?:comments?|responses?|replies)(?:\s*:)?"
    r"|\d+\s+(?:[^\W\d]+\s+){1,2}(?:comments?|responses?|replies|thoughts?)\s+(?:on|to)\s+[“\"'‘«].*"
    r"|there (?:are|is) \d+ (?:comments?|responses?|replies)"
    r"|no comments yet|comments are closed\.?"
    r"|(?:leave a (?:reply|comment|response)|add (?:a|your) comment|post a comment"
    r"|join the discussion)\b.*)$",
    re.IGNORECASE,
)
_NAMED_HEADING = re.compile(
    r"^\d+\s+(?:[^\W\d]+\s+){0,2}(?:comments?|responses?|replies|thoughts?)\s+(?:on|to)\s", re.IGNORECASE
)
# Brackets and arrows some templates draw around the heading ("{ 87 comments… read them below }").
_HEADING_FRAME = " {}[]<>|«»→←›‹·•–—-"
# A reader's comment opens with who wrote it and when, to the minute ("Jo says: May 4, 2012 at
# 8:33 am") or as an age ("Jo said: 5 months ago"); an article's paragraph does not.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = rf"(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+{_MONTH},?\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
_POSTED_AT = re.compile(
    rf"{_DATE},?\s+(?:at|@|-|,)?\s*\d{{1,2}}:\d{{2}}|\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b",
    re.IGNORECASE,
)
_POSTED_AT_REACH = 100
# How long the commenter's name (and a "Posted" or a count before it) may be before the time.
_SIGNATURE = 40
# The commenter's verb as comment templates print it before or after the time ("Jo says:").
_COMMENTER = re.compile(r"\b(?:says|said|wrote|writes|commented|replied)\s*:", re.IGNORECASE)
# Where a posting time ends (a clock's minutes, "ago"), and how far before that it may start.
_POSTED_ANCHOR = re.compile(r":\d\d|ago\b")
_POSTED_AT_SPAN = 50
# A date without a clock time ("Jo Bloggs, on November 7th, 2012"): it opens article lines too, so
# it signs an entry only on the entry's first short lines or its last line, in a run of entries
# whose names vary (see :func:`signed_lines`).
_DATED = re.compile(_DATE, re.IGNORECASE)
_STAMPED = re.compile(
    rf"{_DATE}|\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b", re.IGNORECASE
)
# Where a date or an age ends or turns (" 2012", "10/29", "ago"), how far around that it may sit,
# and how many such places are read at most in all (a text with more holds dates enough or none).
_DATE_NEEDLES = (" 20", " 19", "/", "ago")
_DATE_SPAN = 30
_DATE_ANCHORS = 400
# A signature is a line of its own: this long at most. Before an entry's lines are read, a date or
# time must sit this near the start or the end of its text.
_SIGNATURE_LINE = 100
_SIGNATURE_REACH = 150
# A line that names the commenter and the verb and nothing more ("Jo said,"), over or under the time.
_COMMENTER_LINE = re.compile(
    rf"^\S.{{0,{_SIGNATURE}}}\b(?:says|said|wrote|writes|commented|replied)\s*[:,]?$", re.IGNORECASE
)
# What stands between a signature's name and its time ("Jo, on", "Jo |", "// Twitter").
_NAME_FRAME = " |/,;:-–—·•"
# Paragraphs in a row that open with such a stamp: a thread of readers' comments without a heading.
_THREAD_RUN = 3
# A page with fewer posting times than this in all its text holds no thread.
THREAD_STAMPS = _THREAD_RUN
# A line that ends a sentence (a heading or a label does not): Latin and CJK marks, the Arabic
# question mark and Urdu full stop, the Devanagari danda, the Burmese and Khmer full stops.
SENTENCE_END = re.compile(r"[.!?…\"'”’»“)。！？」』؟۔।॥။។]\s*$")
# A post's filing line, as blog templates print it under the text ("This entry was posted on
# ... and is filed under ...", "Posted in News | 3 Comments", "Tags: harbour, ferry"): the
# post's categories and tags, not its text. Only in the body's second half, where templates put
# it: near the top the same words open an article's own line ("Posted in News Release").
_FILING_LINE = re.compile(
    r"^(?:this (?:entry|post|article) was (?:posted|filed)\b|(?:posted|filed) (?:in|under)\b"
    r"|categor(?:y|ies)\s*:|tags?\s*:|tagged(?: with| as)?\s*:)",
    re.IGNORECASE,
)
# The heading of a box about the writer or the site under the article ("About the author",
# "ABOUT US"), or its label opening the bio ("About the author: Jane is ...").
_ABOUT_ROLE = r"(?:the |our |this )?(?:authors?|writers?|experts?|editors?|reviewers?|contributors?)"
_ABOUT_BOX = re.compile(rf"^(?i:about {_ABOUT_ROLE}|about (?:me|us))(?::?$|:\s)")
# ... or one naming the writer, the blog or the company ("About Jane Harbour", "ABOUT HARBOUR
# MEDIA"), only with little text below it: a guide may close with a section "About Lisbon". A
# subject named with "the" ("About the Osprey 40") is a section of the article, and so is one that
# ends a sentence or holds a comma ("About Halloween, she writes:").
_ABOUT_NAME = re.compile(
    r"^(?:[Aa]bout (?!the\b)[A-Z][\w.'’!-]*(?: [A-Z\w][\w.'’!-]*){0,3}"
    r"|ABOUT [A-Z][A-Z.'’!-]*(?: [A-Z][A-Z.'’!-]*){0,3}):?$"
)
_ABOUT_NAME_REST = 0.4
# A passage the page prints twice (a template's desktop and mobile copies of the article, an FAQ
# shown as an accordion and again as a list) comes out of the walk twice: this many paragraphs in
# a row, each a repeat of an earlier one, with this many characters, are the second copy. A song's
# chorus or a poem's refrain repeats too, but as a stanza or two between others, and so does a
# placeholder for each embedded graphic (a label, a heading and a consent notice).
_REPEAT_RUN = 4
_REPEAT_CHARS = 500
# A short line after the article's last paragraph of prose that asks the reader to subscribe or
# sign up ("Sign up for our newsletter", "Subscribe to the blog's feed", "Join our mailing list!"):
# the site's pitch, not the article's, left behind where the sign-up box has no form field to be
# found by (a script renders it) and no name that says what it is. A line that only points at the
# writer's social accounts ("Follow Jane on Twitter") is not one: it signs the article, and
# references keep it. Longer lines are the article's sentences, or a print-edition note that ends
# in a "Subscribe" link.
_SIGNUP_LINE = re.compile(
    r"\b(?:subscrib(?:e|ing)|sign(?:ing)?[ -]?up)\b"
    r"|\bjoin (?:our|my|the)\b[^.!?]{0,30}\b(?:newsletter|mailing list)"
    r"|\b(?:delivered|straight|right|directly) (?:to|in|into) your inbox\b",
    re.IGNORECASE,
)
_SIGNUP_MAX = 150
_BYLINE_PREFIX = re.compile(r"^(?:by|von|from|por|par|av|door|di|da|af)\s+")
_BYLINE_JOIN = re.compile(r",|\band\b|\bund\b|&|\bet\b|\by\b|\bog\b|\boch\b")


class WalkLine(str):
    """A body line as the walk read it, with where it stood: ``list_id`` names the list or table whose
    item or row it is (the same for each line of one ``<ul>``, ``<ol>``, ``<dl>`` or ``<table>``; 0
    when none), and ``code`` says it is preformatted text (a command, a listing). The tidy reads
    these to tell the article's closing list or command from a label left at its end; a line built
    anew on the way (a merge, a repair) is a plain ``str`` again and is judged by its text alone."""

    list_id: int
    code: bool

    def __new__(cls, text: str, list_id: int = 0, *, code: bool = False) -> WalkLine:
        line = super().__new__(cls, text)
        line.list_id = list_id
        line.code = code
        return line


def tidy(paragraphs: list[str], *, title: str | None, authors: list[str]) -> list[str]:
    """Drop what survives container choice but is not text: the headline again, byline lines,
    readers' comments, and headings or labels left at the very end with nothing below them.
    """
    paragraphs = _drop_repeated_runs(paragraphs)
    names = {a.casefold() for a in authors}
    # Letters and digits only: the headline repeated in the body often differs from the declared
    # one in punctuation or quotation marks alone.
    headline = norm(title or "")
    # A repeat of the headline is about its length: normalising every long paragraph to compare
    # it cost an eighth of the extractor's time.
    longest = 2 * len(title or "") + 20
    thread = _thread_start(paragraphs)
    total = sum(map(len, paragraphs))
    before = 0
    prose_before = False
    text_before = False  # a sentence of running text (_RUNNING_LINE) above this line
    out: list[str] = []
    for index, para in enumerate(paragraphs):
        if index and (
            index == thread or (comments_heading(para) and not _counter_above(text_before, before, total))
        ):
            break  # readers' comments follow: the article ended above
        text_before = text_before or _prose_line(para, _RUNNING_LINE)
        start, before = before, before + len(para)
        # Boxes about the post or its writer sit under the article, in the body's second half.
        if start > total / 2:
            if _ABOUT_BOX.match(para) or (
                _ABOUT_NAME.match(para) and total - start < _ABOUT_NAME_REST * total
            ):
                break  # a box about the writer or the site: the article ended above
            if _FILING_LINE.match(para):
                continue

        folded = para.casefold()
        # The headline again above the article's text is the page's title block; below prose it is
        # a line of the article (a guide's section titled with the article's own words).
        repeat = headline and not prose_before and len(para) <= longest and norm(para) == headline
        if repeat or (len(folded) <= _BYLINE_MAX and _byline_only(folded, names)):
            continue
        prose_before = prose_before or _prose_line(para)
        out.append(para)
    out = _drop_signup_lines(out)
    kept = list(out)
    tail = 0
    while tail < len(out) and _label_line(out[-1 - tail]):
        tail += 1
    if 0 < tail < _TAIL_LIST:
        # The lines that go on a list begun above them stay; the labels after them go.
        del out[len(out) - tail + _list_goes_on(out, tail) :]
    return out or kept


def _list_goes_on(out: list[str], tail: int) -> int:
    """How many of the last ``tail`` lines, from the first, are items or rows of the list or table
    the line above them belongs to: the article's own list went on into them (a how-to's last
    commands, a table's last rows); a label after the article goes on no list begun above it."""
    start = len(out) - tail
    above = _list_of(out[start - 1]) if start else 0
    if not above:
        return 0
    count = 0
    while count < tail and _list_of(out[start + count]) == above:
        count += 1
    return count


def _list_of(line: str) -> int:
    return line.list_id if isinstance(line, WalkLine) else 0


def _drop_signup_lines(paragraphs: list[str]) -> list[str]:
    """The paragraphs without the short sign-up pitches after the last paragraph of prose."""
    last = next((i for i in range(len(paragraphs) - 1, -1, -1) if _prose_line(paragraphs[i])), -1)
    if last < 0:
        return paragraphs
    return paragraphs[: last + 1] + [
        para for para in paragraphs[last + 1 :] if len(para) > _SIGNUP_MAX or not _SIGNUP_LINE.search(para)
    ]


def _counter_above(text_before: bool, before: int, total: int) -> bool:
    """Whether a comment section's heading is the count or link of the comments shown above the
    story ("Comments", "Comments (11)" in its header, beside the views): no sentence of running text
    above it (``text_before``), and the lines above it (a breadcrumb, the headline, counts) a small
    part of the body."""
    return not text_before and before < _COUNTER_TOP * total


def _drop_repeated_runs(paragraphs: list[str]) -> list[str]:
    """The paragraphs without second copies of a passage: runs of ``_REPEAT_RUN`` or more
    paragraphs, ``_REPEAT_CHARS`` or more characters, each the same as one earlier in the body."""
    seen: set[str] = set()
    repeat = []
    for para in paragraphs:
        repeat.append(para in seen)
        seen.add(para)
    if sum(repeat) < _REPEAT_RUN:
        return paragraphs
    out: list[str] = []
    start = 0
    while start < len(paragraphs):
        end = start
        while end < len(paragraphs) and repeat[end]:
            end += 1
        run = paragraphs[start:end]
        if end - start < _REPEAT_RUN or sum(map(len, run)) < _REPEAT_CHARS:
            out.extend(run)
        if end < len(paragraphs):
            out.append(paragraphs[end])
        start = end + 1
    return out


def _prose_line(line: str, least: int = _PROSE_LINE) -> bool:
    """Whether a line is a paragraph of prose: at least ``least`` characters and a sentence end
    (``_RUNNING_LINE`` asks only for a sentence of running text, longer than a caption or count)."""
    return len(line) >= least and SENTENCE_END.search(line) is not None


def _label_line(line: str) -> bool:
    """Whether a line may be a label or heading (short, no sentence end), not preformatted text: a
    command or a line of code is the article's, however short."""
    return (
        len(line) <= _TAIL_HEADING_MAX
        and not (isinstance(line, WalkLine) and line.code)
        and not SENTENCE_END.search(line)
    )


def comments_heading(line: str) -> bool:
    """Whether a line is the heading of a readers' comment section ("12 Comments", "Leave a Reply")."""
    if len(line) > _NAMED_HEADING_MAX:
        return False
    line = line.strip(_HEADING_FRAME).replace("…", " ")
    if len(line) > _TAIL_HEADING_MAX and _NAMED_HEADING.match(line) is None:
        return False
    return _COMMENTS_HEADING.match(line) is not None


def count_posted(text: str) -> int:
    """How many posting times a text holds, anywhere in it."""
    if text.count(":") + text.count("ago") < THREAD_STAMPS:
        return 0  # most pages: no clock time or age to look at
    return sum(
        1
        for anchor in _POSTED_ANCHOR.finditer(text)
        if _POSTED_AT.search(text, max(anchor.start() - _POSTED_AT_SPAN, 0), anchor.end()) is not None
    )


def posted_at(text: str) -> bool:
    """Whether a text opens as a reader's comment does: who wrote it ("Jo says:") and when.

    A time alone is not enough: live-blog entries ("35 minutes ago") and timelines ("March 3,
    2024, 10:15 -") open with one in paragraph after paragraph, and they are the article.
    """
    head = text[:_POSTED_AT_REACH]
    if ":" not in head:
        return False  # no clock time or "says:": most paragraphs, decided without the patterns
    return _COMMENTER.search(head) is not None and _POSTED_AT.search(head) is not None


def signed_at(text: str) -> str | None:
    """The name a box's entry opens with when it opens as a reader's comment signed without a verb
    does: a short name, then the posting time ("Jo Bloggs October 29, 2012 at 9:26 am", "Jo |
    10/29/2012 5:14 PM", "Jo 6 months ago"); None otherwise. A live blog's entry may open with a
    label before its time too ("Key event · 2 hours ago", "Updated 10:15 am"): see
    :func:`signed_entries`."""
    head = text[:_POSTED_AT_REACH]
    if ":" not in head and "ago" not in head:
        return None
    found = _POSTED_AT.search(head)
    if found is None:
        return None
    name = head[: found.start()].strip()
    return name if 0 < len(name) <= _SIGNATURE else None


def signed_entries(texts: list[str]) -> list[bool]:
    """Which of a box's entries open as readers' comments: "Jo says:" and a time
    (:func:`posted_at`), or a name and a time (:func:`signed_at`) when the names differ from entry
    to entry (readers sign each comment with their own name; a live blog labels its entries alike,
    "Key event", "Updated", "Tuesday,", and is the article)."""
    said = [posted_at(text) for text in texts]
    names = [None if verb else signed_at(text) for text, verb in zip(texts, said, strict=True)]
    signed = [name.casefold() for name in names if name]
    varied = 2 * len(set(signed)) > len(signed)
    return [verb or (varied and name is not None) for verb, name in zip(said, names, strict=True)]


def count_dated(text: str, enough: int = THREAD_STAMPS) -> int:
    """How many dates or posting times a text holds, counted up to ``enough``."""
    # The full pattern is read only around a year after a space, a slash or an "ago", found with
    # plain string search: a pattern scanning a long text at every position cost more than the
    # rest of the thread tests together.
    anchors: list[int] = []
    for needle in _DATE_NEEDLES:
        at = text.find(needle)
        while at >= 0 and len(anchors) < _DATE_ANCHORS:
            anchors.append(at)
            at = text.find(needle, at + 1)
    if len(anchors) < enough:
        return 0
    found = 0
    after = 0
    for at in sorted(anchors):
        if at < after:
            continue  # inside a date already counted ("10/29/2012": two slashes and a year)
        date = _STAMPED.search(text, max(at - _DATE_SPAN, after), at + _DATE_SPAN)
        if date is not None and date.end() > at:
            found += 1
            after = date.end()
            if found >= enough:
                break
    return found


# The same box's text is asked twice a page (whether the winner is a thread, then its walk), and it
# is long: the answer for the last few texts is kept.
@functools.lru_cache(maxsize=16)
def holds_stamps(text: str) -> bool:
    """Whether a text holds ``THREAD_STAMPS`` posting times (:func:`count_posted`) or dates
    (:func:`count_dated`) or more: enough for a thread of readers' comments to be looked for."""
    return count_posted(text) >= THREAD_STAMPS or count_dated(text) >= THREAD_STAMPS


def may_be_signed(text: str) -> bool:
    """Whether an entry's text holds a date or a posting time near its start or its end, where a
    signature sits: the entries whose lines :func:`signed_lines` reads."""
    return (
        _STAMPED.search(text, 0, _SIGNATURE_REACH) is not None
        or _STAMPED.search(text, max(len(text) - _SIGNATURE_REACH, 0)) is not None
    )


def signed_lines(entries: list[list[str]]) -> list[bool]:
    """Which of a box's entries, each given as its lines at any depth, are signed as readers' replies
    are: by the commenter's verb ("Jo said," on a line under or over the time), or by a name beside a
    posting time or a date on the entry's first short lines or its last line ("Jo Bloggs" / "Aug 8
    2012", "by jo on Aug 9, 2012 10:40 AM", "October 22, 2012 | Jo") when the names vary from entry
    to entry (readers sign with their own names; a live blog or a timeline labels its entries alike
    or opens them with the time alone, and is the article)."""
    said: list[bool] = []
    names: list[str | None] = []
    for lines in entries:
        verb, name = _line_signature(lines)
        said.append(verb)
        names.append(name)
    signed = [name.casefold() for name in names if name]
    varied = 2 * len(set(signed)) > len(signed)
    return [verb or (varied and name is not None) for verb, name in zip(said, names, strict=True)]


def _line_signature(lines: list[str]) -> tuple[bool, str | None]:
    """Whether an entry's lines open with the commenter's verb and a posting time, and else the
    name that signs them (see :func:`signed_lines`), or None."""
    if not lines:
        return False, None
    heads = [lines[0]]
    if len(lines) > 1 and len(lines[0]) <= _SIGNATURE_LINE:
        heads.append(f"{lines[0]} {lines[1]}")  # a name and a time on lines of their own
    if any(posted_at(head) for head in heads):
        return True, None
    if (
        len(heads) > 1
        and _POSTED_AT.search(heads[1])
        and any(_COMMENTER_LINE.match(line) for line in lines[:2])
    ):
        return True, None  # "August 9, 2012 at 8:38 am" / "Jo said,"
    for head in heads:
        name = signed_at(head)
        if name:
            return False, name
    # A date alone signs an entry when a name stands before it on the first short lines and the
    # entry has its text after them (a reply; a dated heading over nothing is a list's line).
    for count, head in enumerate(heads, 1):
        found = _DATED.search(head, 0, _SIGNATURE_LINE)
        name = head[: found.start()].strip(_NAME_FRAME) if found else ""
        if 0 < len(name) <= _SIGNATURE and len(lines) > count:
            return False, name
    # The signature under the text: a short last line holding the time or the date and a name
    # before or after it ("by jo on Aug 9, 2012 10:40 AM EDT reply", "October 22, 2012 | Jo").
    last = lines[-1]
    if len(lines) > 1 and len(last) <= _SIGNATURE_LINE:
        found = _POSTED_AT.search(last) or _DATED.search(last)
        if found:
            name = last[: found.start()].strip(_NAME_FRAME) or last[found.end() :].strip(_NAME_FRAME)
            if 0 < len(name) <= _SIGNATURE:
                return False, name
    return False, None


def _thread_start(paragraphs: list[str]) -> int:
    """Index of the first of ``_THREAD_RUN`` paragraphs in a row that open with a posting time, or -1."""
    run = 0
    for index, para in enumerate(paragraphs):
        run = run + 1 if posted_at(para) else 0
        if run == _THREAD_RUN:
            return index - _THREAD_RUN + 1
    return -1


def _byline_only(folded: str, names: set[str]) -> bool:
    if not names:
        return False
    stripped = _BYLINE_PREFIX.sub("", folded).strip(" ,.|·-–")
    return stripped in names or all(
        part.strip() in names for part in _BYLINE_JOIN.split(stripped) if part.strip()
    )
