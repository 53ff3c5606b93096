"""Body extraction keeps short article text that looks like page furniture: each test is one mechanism."""

from __future__ import annotations

from newswire.extract import extract_html

URL = "https://news.example/2026/12/04/harbour-plan"
SENTENCES = [
    "The harbour board approved the new quay on Thursday after a vote that ran late into the"
    " evening and split the members.",
    "Fishermen had argued for two years that the old quay was unsafe in winter storms and too"
    " short for the larger boats.",
    "The plan costs forty million and will be paid for by the port, the region and a loan from"
    " the national infrastructure fund.",
    "Residents near the waterfront asked for limits on night work, and the board agreed to"
    " stop the pile driving after eight.",
]


def _body(article: str) -> list[str]:
    head = "<head><title>Harbour plan approved</title></head>"
    html = f"<html>{head}<body><article>{article}</article></body></html>"
    return extract_html(html.encode(), URL, fetched="2026-12-04T12:00:00+00:00").body.split("\n\n")


def test_a_short_sentence_with_a_date_is_article_text_and_a_date_stamp_is_not() -> None:
    dated = "Work on the quay starts on Monday, March 2, 2026."
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    body = _body(
        f"<p>Published on December 4, 2026</p>{paragraphs}<p>{dated}</p><p>Updated: 04.12.2026, 13:05 Uhr</p>"
    )
    assert body == [*SENTENCES, dated]


def test_comments_in_highlighted_code_are_code_not_readers_comments() -> None:
    # Syntax highlighters class a code comment "hljs-comment" or "token comment".
    code = (
        '<pre><code class="language-bash">git add . '
        '<span class="hljs-comment"># stage every changed file</span>\n'
        'git commit <span class="token comment"># record them</span></code></pre>'
    )
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    body = _body(f'{paragraphs}{code}<div class="comments"><p>{SENTENCES[0]} Great post!</p></div>')
    assert body[:-1] == SENTENCES
    assert "# stage every changed file" in body[-1] and "# record them" in body[-1]
