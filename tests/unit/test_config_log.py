"""The effective configuration in the start-up log: one line per section, or one JSON object;
secrets masked either way. And the retried-produce warnings a healthy start no longer shows."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator

import orjson
import pytest

from newswire.config import Settings, has_masked_credentials, load_settings
from newswire.observe.config_log import MASK, WRAP_AT, config_lines, log_effective_config, masked
from newswire.observe.logging import RetriedProduceFilter, setup_logging

SECRET_URL = "https://reader:hunter2@feeds.example/rss"


@contextlib.contextmanager
def _logged(log_format: str = "human") -> Iterator[io.StringIO]:
    """What the root logger writes, as ``setup_logging`` sets it up, while the block runs."""
    stream = io.StringIO()
    setup_logging(log_format)
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        setup_logging()


def settings_with_secrets(log_format: str = "human") -> Settings:
    return load_settings(
        environ={},
        overrides={
            "observe": {"log_format": log_format},
            "sources": [{"name": "paid", "kind": "feed", "url": SECRET_URL}],
        },
        default_file=False,
    )


def test_human_format_is_readable_lines_per_section_and_source_with_credentials_masked() -> None:
    lines = config_lines(settings_with_secrets())
    sections = list(dict.fromkeys(line.split(" ", 1)[0] for line in lines))
    assert sections == [
        "shutdown_timeout_s=30.0",
        "[kafka]",
        "[broker]",
        "[fetch]",
        "[ingest]",
        "[enrich]",
        "[observe]",
        "[[sources]]",
    ]
    assert "[kafka] bootstrap_servers=127.0.0.1:9092 " in lines[1]
    assert f"url=https://{MASK}@feeds.example/rss" in lines[-1]
    assert all("hunter2" not in line and len(line) <= WRAP_AT for line in lines)
    # A wrapped section repeats its header and loses no key.
    fetch = " ".join(line.removeprefix("[fetch] ") for line in lines if line.startswith("[fetch] "))
    assert {pair.split("=", 1)[0] for pair in fetch.split(" ") if "=" in pair} >= {
        "user_agent",
        "concurrency",
        "allowed_hosts",
        "proxy",
    }


def test_masking_covers_secret_named_keys_at_any_depth() -> None:
    doc = {
        "kafka": {"sasl_password": "s3cret", "api_key": "k", "bootstrap_servers": "b:1"},
        "n": [{"token": "t"}],
    }
    assert masked(doc) == {
        "kafka": {"sasl_password": MASK, "api_key": MASK, "bootstrap_servers": "b:1"},
        "n": [{"token": MASK}],
    }


def test_url_credentials_are_masked_whole_even_with_an_at_sign_in_the_password() -> None:
    text = "proxy socks5://user:pa@ss@proxy.example:1080 then https://feeds.example/a@b?q=c@d"
    assert masked({"proxy": text}) == {
        "proxy": "proxy socks5://***@proxy.example:1080 then https://feeds.example/a@b?q=c@d"
    }


@pytest.mark.parametrize("log_format", ["human", "json"])
def test_the_logged_configuration_never_shows_the_secret(log_format: str) -> None:
    with _logged(log_format) as stream:
        log_effective_config(settings_with_secrets(log_format))
    out = stream.getvalue()
    assert "hunter2" not in out
    if log_format == "json":
        (line,) = out.splitlines()  # one record, the configuration as an object
        doc = orjson.loads(line)
        assert doc["settings"]["kafka"]["partitions"] == 6
        assert doc["settings"]["sources"][0]["url"] == f"https://{MASK}@feeds.example/rss"
    else:
        assert len(out.splitlines()) == len(config_lines(settings_with_secrets(log_format)))


def _record(level: int, name: str, error: str) -> logging.LogRecord:
    return logging.LogRecord(
        name,
        level,
        __file__,
        1,
        "Got error produce response on topic-partition %s, retrying. Error: %s",
        ("TopicPartition(topic='t', partition=3)", f"<class 'aiokafka.errors.{error}'>"),
        None,
    )


def test_retried_produce_refusals_are_demoted_and_other_warnings_kept() -> None:
    keep = RetriedProduceFilter()
    for passing in ("NotLeaderForPartitionError", "NotEnoughReplicasError"):
        assert not keep.filter(_record(logging.WARNING, "aiokafka.producer.sender", passing))
    assert keep.filter(_record(logging.WARNING, "aiokafka.producer.sender", "MessageSizeTooLargeError"))
    assert keep.filter(_record(logging.WARNING, "newswire.daemons", "NotEnoughReplicasError"))


def test_no_log_line_shows_the_password_of_a_url_it_quotes() -> None:
    """A source's URL may carry credentials, and a failed poll's warning quotes it."""
    with _logged() as stream:
        logging.getLogger("newswire.daemons._discover_role").warning(
            "source %s failed: %s", f"feed:{SECRET_URL}", f"robots.txt unreachable ({SECRET_URL})"
        )
        logging.getLogger("newswire").info("posted by https://medium.com/@reporter/story")
    first, second = stream.getvalue().splitlines()
    assert "hunter2" not in first
    assert first.endswith(
        f"source feed:https://{MASK}@feeds.example/rss failed: robots.txt unreachable "
        f"(https://{MASK}@feeds.example/rss)"
    )
    assert second.endswith("posted by https://medium.com/@reporter/story")  # an @ in a path is no password


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://f.example/rss?token=t0k&lang=en", "https://f.example/rss?token=***&lang=en"),
        ("https://f.example/rss?lang=en&apikey=K1#top", "https://f.example/rss?lang=en&apikey=***#top"),
        ("failed (https://f.example/a?API_KEY=K1)", "failed (https://f.example/a?API_KEY=***)"),
        (
            "https://f.example/a?key=k&secret=s&password=p",
            "https://f.example/a?key=***&secret=***&password=***",
        ),
        ("https://u:p@f.example/a?access_token=x", "https://***@f.example/a?access_token=***"),
        ("https://f.example/a?monkey=1&tokens=2&q=key=3", "https://f.example/a?monkey=1&tokens=2&q=key=3"),
        (
            "https://git.example/feed.atom?private_token=P&client_secret=C&auth_token=A",
            "https://git.example/feed.atom?private_token=***&client_secret=***&auth_token=***",
        ),
        (
            "https://s3.example/f.xml?X-Amz-Signature=S1&x=1",
            "https://s3.example/f.xml?X-Amz-Signature=***&x=1",
        ),
        ("https://f.example/a?turnkey=1&tokenized=2", "https://f.example/a?turnkey=1&tokenized=2"),
    ],
)
def test_credential_query_parameters_are_masked_like_a_password(text: str, shown: str) -> None:
    """Private feeds often carry their credential as ``?token=`` rather than as user:password."""
    assert masked({"url": text}) == {"url": shown}
    assert has_masked_credentials(shown) is (shown != text)


def test_no_log_line_shows_a_token_in_a_url_it_quotes() -> None:
    with _logged() as stream:
        logging.getLogger("newswire").warning("polled %s", "https://f.example/rss?token=hunter2")
    assert stream.getvalue().rstrip().endswith("polled https://f.example/rss?token=***")


@pytest.mark.parametrize("log_format", ["human", "json"])
def test_a_traceback_and_extras_do_not_show_the_credentials_of_a_url_they_quote(log_format: str) -> None:
    """An unexpected error's traceback quotes its message, which may hold the feed URL it failed on."""
    with _logged(log_format) as stream:
        try:
            raise ValueError(f"cannot parse {SECRET_URL}?token=t0k3n")
        except ValueError:
            logging.getLogger("newswire").exception("polling failed", extra={"feed": SECRET_URL})
    out = stream.getvalue()
    assert "hunter2" not in out and "t0k3n" not in out
    assert f"cannot parse https://{MASK}@feeds.example/rss?token={MASK}" in out
    if log_format == "json":
        doc = orjson.loads(out)  # masking keeps the line valid JSON
        assert doc["feed"] == f"https://{MASK}@feeds.example/rss"
        assert doc["message"] == "polling failed"
