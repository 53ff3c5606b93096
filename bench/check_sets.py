"""What the check sets nobody tunes on share (``extract_snippets.py``, ``extract_openings.py``):
newswire's body of a page, and the command line that scores newswire (and, when asked,
trafilatura) on a set, prints the figures and writes them as JSON.

Each set brings its own loader (a folder of a checkout outside the repository), its own score and
its own printed line; what is the same is how they are run, so that the sets report alike.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Page = dict[str, Any]
Extractor = Callable[[Page], str | None]


def newswire_body(page: Page) -> str | None:
    """newswire's body of a page (``raw`` bytes at ``url``); None when it finds no article."""
    from newswire.errors import ExtractError
    from newswire.extract import extract_html

    try:
        return str(extract_html(page["raw"], page["url"], fetched="2026-01-01T00:00:00+00:00").body)
    except ExtractError:
        return None


def run_check_set(
    doc: str | None,
    folder_help: str,
    load: Callable[[Path], list[Page]],
    score: Callable[[list[Page], Extractor], dict[str, Any]],
    trafilatura_body: Extractor,
    lines: Callable[[str, dict[str, Any]], Iterable[str]],
) -> int:
    """The set's command line: ``FOLDER [--trafilatura] [--json OUT]``. Loads the pages from the
    folder, scores newswire (and trafilatura with ``--trafilatura``), prints each extractor's
    ``lines`` of its figures and writes ``{extractor: figures}`` to ``OUT``."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help=folder_help)
    ap.add_argument("--trafilatura", action="store_true", help="score trafilatura beside newswire")
    ap.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = ap.parse_args()

    pages = load(args.folder)
    results = {"newswire": score(pages, newswire_body)}
    if args.trafilatura:
        results["trafilatura"] = score(pages, trafilatura_body)
    for name, figures in results.items():
        for line in lines(name, figures):
            print(line)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0
