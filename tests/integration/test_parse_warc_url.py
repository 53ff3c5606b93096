"""``newswire parse URL.warc.gz`` run as a user runs it: the file downloaded through the guarded fetcher
from a real HTTP server on 127.0.0.1, then parsed as a local file is; a URL that cannot be downloaded
fails alone."""

from __future__ import annotations

from pathlib import Path

from newswire.events import decode_article
from tests.integration.test_cli import run
from tests.support.daemon_procs import write_config
from tests.support.file_server import FileServer
from tests.support.warc_bytes import gzip_members, page_record

PAGES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "pages").glob("*.html"))


def test_parse_downloads_a_warc_url_and_prints_the_same_events_as_for_the_file(tmp_path: Path) -> None:
    body = gzip_members(page_record(f"https://news.example/{p.stem}", p.read_bytes()) for p in PAGES)
    local = tmp_path / "crawl.warc.gz"
    local.write_bytes(body)
    with FileServer({"/crawl.warc.gz": body}) as server:
        config = write_config(
            tmp_path / "newswire.toml", {"fetch": {"allowed_hosts": [server.host_port], "retries": 0}}, []
        )
        missing = server.url("/gone.warc.gz")
        result = run(
            "--config", str(config), "parse", server.url("/crawl.warc.gz"), missing, str(local), cwd=tmp_path
        )
        assert [r.status for r in server.requests_to("/crawl.warc.gz")] == [200]
    assert result.returncode == 1, result.stderr.decode()
    events = [decode_article(line) for line in result.stdout.splitlines()]
    urls = [f"https://news.example/{p.stem}" for p in PAGES]
    assert [e.url for e in events] == urls + urls  # the URL's file, then the same file given locally
    assert events[: len(PAGES)] == events[len(PAGES) :]
    err = result.stderr.decode()
    assert f"newswire parse: {missing}: cannot download: HTTP 404" in err
    assert "1 of 3 inputs failed" in err
