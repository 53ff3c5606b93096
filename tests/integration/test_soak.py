"""Soak: 6000 articles from the fake site through ``newswire ingest`` and ``newswire enrich`` processes.

The logic is ``bench/soak.py`` (``python bench/soak.py`` regenerates
``bench/results/soak.json``); here it runs against the session broker, bounded
to a few minutes. A user would notice two things: a daemon whose memory keeps
growing (so RSS of each daemon process, sampled every second, must stay within
``max_growth_mib`` of its value at the end of warm-up), and a lost or repeated
article (so every article must be exactly once in the articles topic and in the
read-committed enriched topic).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.soak import SoakOptions, run_soak, summary, verdict

from newswire.broker import EmbeddedBroker

pytestmark = pytest.mark.kafka


@pytest.mark.timeout(330)
async def test_soak_memory_flat_after_warmup_and_every_article_exactly_once(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    options = SoakOptions(timeout_s=220)
    result = await run_soak(broker.bootstrap_servers, tmp_path, options)
    (tmp_path / "soak.json").write_text(json.dumps(result, indent=1))
    print("\n" + summary(result))
    assert result["enriched_topic"]["checked"] == options.articles == 6000
    assert verdict(result) == []
