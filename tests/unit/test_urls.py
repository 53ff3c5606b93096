"""URL canonicalisation: the spellings feeds produce collapse to one key."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newswire.urls import TRACKING_PARAMS, canonicalize, host_of

CASES = [
    # scheme and host case, default ports
    ("HTTP://Example.COM/", "http://example.com/"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:443/a", "http://example.com:443/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com:/a", "https://example.com/a"),
    ("https://example.com./a", "https://example.com/a"),
    ("https://user:secret@example.com/a", "https://example.com/a"),
    # empty path, fragments
    ("https://example.com", "https://example.com/"),
    ("https://example.com?b=1", "https://example.com/?b=1"),
    ("https://example.com/a#section-2", "https://example.com/a"),
    ("https://example.com/a?#", "https://example.com/a"),
    # dot segments
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/../../a", "https://example.com/a"),
    ("https://example.com/a/b/..", "https://example.com/a/"),
    ("https://example.com/a/.", "https://example.com/a/"),
    ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
    ("https://example.com/v1.2/file.tar.gz", "https://example.com/v1.2/file.tar.gz"),
    # percent-encoding
    ("https://example.com/%7euser/%41", "https://example.com/~user/A"),
    ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
    ("https://example.com/100%", "https://example.com/100%25"),
    ("https://example.com/%zz", "https://example.com/%25zz"),
    ("https://example.com/?q=%e2%82%ac", "https://example.com/?q=%E2%82%AC"),
    ("https://example.com/?q=€", "https://example.com/?q=%E2%82%AC"),
    ("https://example.com/?a=x%26y", "https://example.com/?a=x%26y"),
    ("https://example.com/?q=a+b&r=a%20b", "https://example.com/?q=a+b&r=a%20b"),
    # tracking parameters and sorting
    ("https://example.com/a?utm_source=tw&utm_medium=social", "https://example.com/a"),
    ("https://example.com/a?UTM_Campaign=x&id=3", "https://example.com/a?id=3"),
    ("https://example.com/a?id=3&fbclid=abc&gclid=1&dclid=2&msclkid=3", "https://example.com/a?id=3"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&_ga=4&yclid=5", "https://example.com/a"),
    ("https://example.com/a?ref_src=twsrc&cmpid=rss&ocid=x&WT.mc_id=y", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
    ("https://example.com/a?tag=z&tag=a", "https://example.com/a?tag=z&tag=a"),
    ("https://example.com/a?b=2&&a=1&", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?flag", "https://example.com/a?flag"),
    ("https://example.com/a?ref=home", "https://example.com/a?ref=home"),
    ("https://example.com/article?id=123&page=2", "https://example.com/article?id=123&page=2"),
    # IDNA
    ("https://Bücher.DE/", "https://xn--bcher-kva.de/"),
    ("https://xn--bcher-kva.de/", "https://xn--bcher-kva.de/"),
    ("https://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/"),
    ("https://www.example。com/", "https://www.example.com/"),
    # IP literals
    ("http://127.0.0.1:80/x", "http://127.0.0.1/x"),
    ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ("http://[::1]:80/", "http://[::1]/"),
    # whitespace around
    ("  https://example.com/a\n", "https://example.com/a"),
    ("https://my_host.example.com/", "https://my_host.example.com/"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_canonicalize(raw: str, expected: str) -> None:
    assert canonicalize(raw) == expected
    assert canonicalize(expected) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("../x?b=1#y", "https://ex.com/a/b/c", "https://ex.com/a/x?b=1"),
        ("/story", "https://Ex.com/feed.xml", "https://ex.com/story"),
        ("//cdn.ex.com/p", "https://ex.com/", "https://cdn.ex.com/p"),
        ("story.html", "https://ex.com/news/", "https://ex.com/news/story.html"),
        ("https://other.org/a", "https://ex.com/", "https://other.org/a"),
    ],
)
def test_canonicalize_with_base(url: str, base: str, expected: str) -> None:
    assert canonicalize(url, base) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "example.com/a",
        "/relative/only",
        "mailto:someone@example.com",
        "javascript:alert(1)",
        "ftp://example.com/file",
        "http://",
        "http:///path",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://example.com:port/",
        "http://[::1/",
        "http://[::1]x/",
        "http://a..b/",
        "http://%41.com/",
        "https://example.com/\udc80",
    ],
)
def test_garbage_raises_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        canonicalize(bad)


def test_non_string_is_value_error() -> None:
    with pytest.raises(ValueError):
        canonicalize(b"https://example.com/")  # type: ignore[arg-type]


def test_host_of() -> None:
    assert host_of("https://WWW.Bücher.de:8443/x") == "www.xn--bcher-kva.de"
    assert host_of("http://Example.com./") == "example.com"
    assert host_of("http://[::1]:80/") == "[::1]"
    with pytest.raises(ValueError):
        host_of("mailto:x@example.com")


def test_tracking_list_is_lower_case() -> None:
    assert all(name == name.lower() for name in TRACKING_PARAMS)


# ---------------------------------------------------------------- properties

_URL_ALPHABET = st.sampled_from([*"aZ09-._~%/?#&=+;:@[]!$'()*, é€\t", "%2e", "%2F", "%7E", "..", "./"])
_urlish = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["http://", "HTTPS://", "https://", "ftp://", "//", ""]),
        st.sampled_from(["Example.com", "bücher.de", "[::1]", "a.b.", "x:80", "u@h:443", "", "例え.jp"]),
        st.lists(_URL_ALPHABET, max_size=30).map("".join),
    ),
)


def _check(url: str) -> None:
    try:
        once = canonicalize(url)
    except ValueError:
        return
    assert canonicalize(once) == once
    assert "#" not in once
    assert once.startswith(("http://", "https://"))


@settings(max_examples=400, deadline=None)
@given(_urlish)
@example("http://example.com/%2e%2E/%41?b=%zz&a=1#x")
def test_idempotent_on_url_like_strings(url: str) -> None:
    _check(url)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_only_value_error_on_any_text(text: str) -> None:
    _check(text)
    _check("https://example.com/" + text)
    _check("https://" + text)
