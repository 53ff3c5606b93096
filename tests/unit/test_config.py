"""Settings: file, environment and overrides, and errors that name the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.config import load_settings
from newswire.demo import DEFAULT_ADDRESS as DEMO_ADDRESS
from newswire.errors import ConfigError


def test_defaults_then_file_then_env(tmp_path: Path) -> None:
    config = tmp_path / "n.toml"
    config.write_text(
        '[kafka]\ntopic_prefix = "file."\npartitions = 3\n[[sources]]\nkind = "feed"\n'
        'url = "https://a.example/rss"\n'
    )
    settings = load_settings(
        config, environ={"NEWSWIRE_KAFKA__PARTITIONS": "9", "KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092"}
    )
    assert settings.kafka.topic_prefix == "file."
    assert settings.kafka.partitions == 9
    assert settings.kafka.bootstrap_servers == "k1:9092,k2:9092"
    assert settings.topic("articles") == "file.articles"
    assert settings.sources[0].url == "https://a.example/rss"


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[fetch]\nconcurrency = 0\n", "fetch.concurrency"),
        ('[kafka]\nbootstrap_servers = "nohostport"\n', "kafka.bootstrap_servers"),
        ("[ingest]\nno_such_key = 1\n", "ingest.no_such_key"),
        ('[[sources]]\nkind = "telepathy"\n', "sources.0.kind"),
        ('[kafka]\ncompression = "brotli"\n', "kafka.compression"),
        ("[kafka]\nmax_message_bytes = 1048576\nbatch_bytes = 2097152\n", "kafka.batch_bytes"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, toml: str, key: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ={})
    assert info.value.key == key
    assert str(info.value).startswith(key)


def test_bad_environment_and_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown section"):
        load_settings(environ={"NEWSWIRE_NOPE__X": "1"}, default_file=False)
    with pytest.raises(ConfigError, match=r"enrich\.batch_size"):
        load_settings(environ={"NEWSWIRE_ENRICH__BATCH_SIZE": "lots"}, default_file=False)
    broken = tmp_path / "broken.toml"
    broken.write_text("[kafka\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})


@pytest.mark.parametrize(
    ("toml", "environ", "said"),
    [
        (
            '[kafka]\nsasl_pasword = "hunter2"\n',
            {},
            "kafka.sasl_pasword: unknown key (did you mean sasl_password?)",
        ),
        (
            '[fetch]\nproxxy = "http://bob:hunter2@proxy:3128"\n',
            {},
            "fetch.proxxy: unknown key (did you mean proxy?)",
        ),
        (
            "",
            {"NEWSWIRE_FETCH__PER_HOST_DELAY": "2"},
            "fetch.per_host_delay: unknown key (did you mean per_host_delay_s?)",
        ),
        (
            '[[sources]]\nkind = "feed"\nurl = "https://a.example/rss"\nintervl_s = 3\n',
            {},
            "sources.0.intervl_s: unknown key (did you mean interval_s?)",
        ),
        ("[fetchh]\nconcurrency = 4\n", {}, "fetchh: unknown section (did you mean fetch?)"),
        ("[ingest]\nno_such_key = 1\n", {}, "ingest.no_such_key: unknown key"),
    ],
)
def test_a_mistyped_key_is_named_with_its_nearest_setting_and_never_echoed(
    tmp_path: Path, toml: str, environ: dict[str, str], said: str
) -> None:
    config = tmp_path / "typo.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ=environ)
    assert str(info.value) == said  # the value a typo was meant to hold may be a password


def test_a_bad_source_url_is_shown_without_its_credentials(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[sources]]\nname = "x"\nkind = "feed"\nurl = "ftp://reader:hunter2@a.example/rss"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ={})
    assert "hunter2" not in str(info.value)
    assert "ftp://***@a.example/rss" in str(info.value)


def test_a_bad_source_url_is_shown_without_its_token(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[sources]]\nkind = "feed"\nurl = "ftp://a.example/rss?token=hunter2"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ={})
    assert "hunter2" not in str(info.value)
    assert "ftp://a.example/rss?token=***" in str(info.value)


def test_two_unnamed_sources_whose_urls_differ_only_in_credentials_are_refused(tmp_path: Path) -> None:
    """Their ids (URL credentials masked) would be one sources-topic key: one feed never polled."""
    feed = '[[sources]]\nkind = "feed"\nurl = "https://{}@a.example/rss"\n'
    config = tmp_path / "two.toml"
    config.write_text(feed.format("alice:pw1") + feed.format("bob:pw2"))
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ={})
    assert info.value.key == "sources"
    assert "give each a distinct name" in str(info.value) and "pw1" not in str(info.value)
    named = feed.format("alice:pw1") + 'name = "alice"\n' + feed.format("bob:pw2") + 'name = "bob"\n'
    config.write_text(named)
    assert [s.key for s in load_settings(config, environ={}).sources] == ["alice", "bob"]
    config.write_text(feed.format("alice:pw1") * 2)  # the same source twice is still one source
    assert len(load_settings(config, environ={}).sources) == 2


def test_the_shipped_default_config_is_valid() -> None:
    settings = load_settings(Path(__file__).resolve().parents[2] / "newswire.toml", environ={})
    # A fresh clone ingests the bundled demo site, which the fetcher may reach on loopback.
    (source,) = settings.sources
    assert source.kind == "feed" and source.url == f"http://{DEMO_ADDRESS}/feed.xml"
    assert DEMO_ADDRESS in settings.fetch.allowed_hosts


def test_a_check_of_our_own_reads_as_one_sentence_without_pydantic_tags(tmp_path: Path) -> None:
    config = tmp_path / "ca.toml"
    config.write_text(f'[kafka]\nsecurity_protocol = "SSL"\nssl_cafile = "{tmp_path / "no-ca.pem"}"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ={})
    assert str(info.value) == f"kafka.ssl_cafile: no such file: {tmp_path / 'no-ca.pem'}"


def test_an_override_keeps_every_credential_it_does_not_replace() -> None:
    """``newswire run`` overrides the bootstrap servers of the loaded settings: the proxies' and
    the sources' credentials must survive it, masked only where settings are shown."""
    proxy, feed = "http://u:pw@proxy.example:3128", "https://u:pw@f.example/rss?token=t"
    settings = load_settings(
        environ={},
        overrides={
            "fetch": {"proxy": proxy, "proxy_hosts": {"*.example": proxy}},
            "sources": [{"kind": "feed", "url": feed, "proxy": proxy}],
        },
        default_file=False,
    ).override(kafka={"bootstrap_servers": "127.0.0.1:19092"})
    assert settings.fetch.proxy is not None and settings.fetch.proxy.get_secret_value() == proxy
    assert settings.fetch.proxy_hosts["*.example"].get_secret_value() == proxy
    [source] = settings.sources
    assert source.url == feed and source.proxy is not None and source.proxy.get_secret_value() == proxy
    shown = settings.model_dump_json()
    assert "pw" not in shown and "token=t" not in shown
