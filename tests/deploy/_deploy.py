"""Shared helpers for the deploy tests: where deploy/ is, how to read its files, the promtool lookup."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "newswire.json"
NO_PROMTOOL = "promtool/prometheus not installed: run deploy/install-test-tools.sh (CI does)"


def tool(name: str) -> str | None:
    """``name`` on PATH, or None."""
    return shutil.which(name)


def load_yaml(path: Path) -> list[Any]:
    """Every document of a YAML file (comments-only documents dropped)."""
    return [doc for doc in yaml.safe_load_all(path.read_text("utf-8")) if doc is not None]


def dockerfile_instructions(path: Path = DEPLOY / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of a Dockerfile, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def exec_form(arguments: str) -> list[str]:
    """A JSON exec-form argument list (``["a", "b"]``), or the shell form split like a shell would."""
    arguments = arguments.strip()
    if arguments.startswith("["):
        value = json.loads(arguments)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value
    return shlex.split(arguments)


def healthcheck_command() -> list[str]:
    """The Dockerfile's HEALTHCHECK CMD as an argv (options such as --interval stripped)."""
    [args] = [a for i, a in dockerfile_instructions() if i == "HEALTHCHECK"]
    _, sep, command = args.partition("CMD ")
    assert sep, f"HEALTHCHECK without CMD: {args}"
    return exec_form(command)


def host_argv(argv: list[str]) -> list[str]:
    """An image command made runnable here: ``python`` and ``newswire`` from this interpreter's venv."""
    bindir = Path(sys.executable).parent
    first = {"python": sys.executable, "python3": sys.executable}.get(argv[0])
    if first is None:
        first = str(bindir / argv[0]) if (bindir / argv[0]).exists() else argv[0]
    return [first, *argv[1:]]


def dashboard_exprs(path: Path = DASHBOARD) -> list[tuple[str, str]]:
    """(panel title, expr) for every query target of every panel, rows included."""
    dash = json.loads(path.read_text("utf-8"))
    found: list[tuple[str, str]] = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            found.extend(
                (panel.get("title", "?"), t["expr"]) for t in panel.get("targets", []) if "expr" in t
            )
            walk(panel.get("panels", []))

    walk(dash["panels"])
    return found


def grafana_to_promql(expr: str, *, rate_interval: str = "1m", range_: str = "10m") -> str:
    """Replace Grafana's built-in variables so Prometheus itself can run the query."""
    expr = expr.replace("$__rate_interval", rate_interval).replace("${__rate_interval}", rate_interval)
    expr = expr.replace("$__range", range_).replace("${__range}", range_)
    expr = expr.replace("$__interval", "15s").replace("${__interval}", "15s")
    leftover = re.findall(r"\$\{?\w+", expr)
    assert not leftover, f"dashboard query uses template variables the test cannot fill: {leftover}"
    return expr
