"""Audit the second-opinion decision (our body or trafilatura's) on the dev pages of both corpora.

    PYTHONPATH=service .venv/bin/python bench/arbiter_audit.py --out /tmp/me/arbiter

Runs the extractor over every *dev* page (check pages are never read one by one) in five modes,
with trafilatura's ``fast=True`` body (the product's call) cached per page so that only the first
run pays for it:

* ``normal``: the shipped decision, with the features it sees (the last ``ask_second_opinion``
  call's arguments, the furniture-tail and headline-branch triggers) and, on pages where the doubt
  trigger asked, features of both bodies (words, prose scores, 4-shingle overlaps, how much of
  trafilatura's text the cleaned page shows unlinked);
* ``force``: trafilatura's body on every page (what taking it would give);
* ``keep``: trafilatura asked as shipped, but its body never taken (cuts and merge still apply);
* ``never``: trafilatura never asked;
* ``askall``: trafilatura asked on every page, the shipped criteria deciding.

Writes ``OUT/<mode>.json`` (per page: features, method, body, scores; publisher text, so keep
``OUT`` outside the repo) and prints a summary: the asked and taken counts per trigger, F1 per
mode, the per-page oracle between ours and trafilatura's, the wrong takes and keeps on the asked
pages, what asking everywhere would add on the pages not asked, and the asks that changed nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import Scorer, load_pages, page_url
from extract_corpus import newswire_prediction

MODES = ("normal", "force", "keep", "never", "askall")
FETCHED = "2026-01-01T00:00:00+00:00"


def run(mode: str, pages: list[dict[str, Any]], cache: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Each page's decision record and scores in one mode (the extractor patched for the run only)."""
    from newswire.errors import ExtractError
    from newswire.events import Extraction
    from newswire.extract import _body, _second_opinion, _strategy, extract_html
    from newswire.extract._text import word_count

    so: Any = _second_opinion
    st: Any = _strategy
    body_mod: Any = _body
    saved = {
        "traf": so.trafilatura_paragraphs,
        "mts": body_mod.main_text_scored,
        "ask": st.ask_second_opinion,
        "tail": st.ends_in_furniture,
        "wins": st._second_opinion_wins,
        "choose": st.choose_body,
    }
    current: dict[str, Any] = {}

    def traf(html: str, url: str | None = None) -> list[str]:
        current["traf_called"] = current.get("traf_called", 0) + 1
        return cache[current["id"]]

    def mts(
        tree: Any, url: str | None = None, headline: str | None = None, *, spare_named: bool = False
    ) -> Any:
        found = saved["mts"](tree, url, headline, spare_named=spare_named)
        paragraphs, share, declared, narrower, whole, thread_text = found
        current.update(share=share, has_branch=narrower is not None, teasers_cut=len(whole) > len(paragraphs))
        return paragraphs, share, declared, (None if mode == "never" else narrower), whole, thread_text

    def ask(paragraphs: list[str], confidence: float, page_words: int, declared_words: int = 0) -> bool:
        result = bool(saved["ask"](paragraphs, confidence, page_words, declared_words))
        current.setdefault("ask_calls", []).append(
            {
                "words": word_count(paragraphs),
                "conf": confidence,
                "page_words": page_words,
                "declared": declared_words,
                "ratio": st._prose_ratio(paragraphs),
                "n": len(paragraphs),
                "chars": sum(len(p) for p in paragraphs),
                "result": result,
            }
        )
        return {"askall": True, "never": False}.get(mode, result)

    def tail(paragraphs: list[str]) -> bool:
        current["tail"] = bool(saved["tail"](paragraphs))
        return False if mode == "never" else current["tail"]

    def wins(ours: list[str], other: list[str], method: str, tree: Any) -> str:
        why = "" if mode == "keep" else str(saved["wins"](ours, other, method, tree))
        own, theirs = so._shingle_set(ours), so._shingle_set(other)
        cleaned = tree.body
        page = set(so._text_shingles(cleaned.text(separator=" "))) if cleaned is not None else set()
        linked = (
            {s for a in cleaned.css("a") for s in so._text_shingles(a.text(separator=" "))}
            if cleaned is not None
            else set()
        )
        added = theirs - own
        current["why"] = why
        current["both"] = {
            "method": method,
            "ours_words": word_count(ours),
            "traf_words": word_count(other),
            "ours_prose": st.prose_score(ours),
            "traf_prose": st.prose_score(other),
            "ours_in_traf": so._share_in(own, theirs),
            "traf_in_ours": so._share_in(theirs, own),
            "traf_in_page": so._share_in(theirs, page),
            "added_unlinked": len((added - linked) & page) / (len(added) or 1),
        }
        return why

    def choose(tree: Any, html: str, ld_body: list[str], url: str | None = None, **kw: Any) -> Any:
        if current["id"] not in cache:
            cache[current["id"]] = saved["traf"](html, url)
        paragraphs, extraction = saved["choose"](tree, html, ld_body, url, **kw)
        if mode == "force":
            return list(cache[current["id"]]), Extraction(method="trafilatura", confidence=0.5)
        return paragraphs, extraction

    so.trafilatura_paragraphs, body_mod.main_text_scored = traf, mts
    st.ask_second_opinion, st.ends_in_furniture, st._second_opinion_wins, st.choose_body = (
        ask,
        tail,
        wins,
        choose,
    )
    scorer = Scorer()
    out: dict[str, dict[str, Any]] = {}
    try:
        for page in pages:
            current.clear()
            current["id"] = page["id"]
            try:
                pred = newswire_prediction(page, extract_html(page["raw"], page_url(page), fetched=FETCHED))
            except ExtractError:
                pred = {}
            current.update(
                source=page["source"],
                method=pred.get("method"),
                body=pred.get("body") or "",
                scores=scorer.page(page, pred),
            )
            out[page["id"]] = dict(current)
    finally:
        so.trafilatura_paragraphs, body_mod.main_text_scored = saved["traf"], saved["mts"]
        st.ask_second_opinion, st.ends_in_furniture = saved["ask"], saved["tail"]
        st._second_opinion_wins, st.choose_body = saved["wins"], saved["choose"]
    return out


def page_f1(row: dict[str, Any]) -> float:
    """Per-page body F1 (fundus: its body score)."""
    scores = row["scores"]
    if row["source"] == "fundus":
        return float(scores.get("body") or 0.0)
    p, r = scores.get("precision") or 0.0, scores.get("recall") or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def trigger(row: dict[str, Any]) -> str:
    """Why trafilatura was asked on a page (``-`` when it was not)."""
    if not row.get("traf_called"):
        return "-"
    calls = row.get("ask_calls") or []
    if calls and calls[-1]["result"]:
        return "doubt"
    return "tail" if row.get("tail") else "branch"


def summary(runs: dict[str, dict[str, dict[str, Any]]]) -> None:
    normal = runs["normal"]
    for corpus in ("web", "fundus"):
        ids = [i for i, row in normal.items() if (row["source"] == "fundus") == (corpus == "fundus")]
        counts = Counter(trigger(normal[i]) for i in ids)
        taken = sum(1 for i in ids if normal[i]["method"] == "trafilatura")
        print(f"{corpus} dev, {len(ids)} pages: asked {counts} (taken {taken})")
        means = {m: statistics.mean(page_f1(runs[m][i]) for i in ids) for m in runs}
        print("  mean page F1: " + ", ".join(f"{m} {v:.4f}" for m, v in means.items()))
        if "force" not in runs:
            continue
        oracle = statistics.mean(max(page_f1(normal[i]), page_f1(runs["force"][i])) for i in ids)
        print(f"  oracle (ours or trafilatura's, per page) {oracle:.4f}")
        if "keep" in runs:
            doubt = [i for i in ids if trigger(normal[i]) == "doubt"]
            took = {i for i in doubt if normal[i]["method"] == "trafilatura"}
            keep, force = runs["keep"], runs["force"]
            wrong_take = [page_f1(keep[i]) - page_f1(normal[i]) for i in took]
            wrong_keep = [page_f1(force[i]) - page_f1(normal[i]) for i in doubt if i not in took]
            best = sum(max(page_f1(force[i]), page_f1(keep[i])) - page_f1(normal[i]) for i in doubt)
            print(
                f"  doubt-asked {len(doubt)}: oracle gain over the shipped choice {best:.2f} page F1; "
                f"wrong takes {sum(1 for g in wrong_take if g > 0.02)} "
                f"({sum(g for g in wrong_take if g > 0.02):.2f}), wrong keeps "
                f"{sum(1 for g in wrong_keep if g > 0.02)} ({sum(g for g in wrong_keep if g > 0.02):.2f})"
            )
        if "askall" in runs:
            rest = [page_f1(runs["askall"][i]) - page_f1(normal[i]) for i in ids if trigger(normal[i]) == "-"]
            print(
                f"  not asked {len(rest)}: asking there would gain {sum(g for g in rest if g > 0):.2f} on "
                f"{sum(1 for g in rest if g > 0.01)} pages, lose {sum(g for g in rest if g < 0):.2f} on "
                f"{sum(1 for g in rest if g < -0.01)}"
            )
        if "never" in runs:
            idle = Counter(
                trigger(normal[i])
                for i in ids
                if trigger(normal[i]) != "-" and normal[i]["body"] == runs["never"][i]["body"]
            )
            print(f"  asks that changed nothing: {idle}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--out", type=Path, required=True, help="directory for the per-page files (outside the repo)"
    )
    ap.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = [p for corpus in ("fundus", "web") for p in load_pages(corpus) if p["split"] == "dev"]
    cache_file = args.out / "trafilatura_fast.json"
    cache: dict[str, list[str]] = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    runs = {}
    for mode in ["normal", *(m for m in args.modes if m != "normal")]:
        runs[mode] = run(mode, pages, cache)
        (args.out / f"{mode}.json").write_text(json.dumps(runs[mode]))
        cache_file.write_text(json.dumps(cache))
    summary(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
