"""Log the effective configuration once at start: readable, and with secrets masked.

Human logs get one line per section (``[kafka] bootstrap_servers=... partitions=6``), one per
source, a long section wrapped over lines that each repeat its header, so no line runs past a
terminal or two; JSON logs get one record whose ``settings`` field is the whole configuration as
an object. Either way nothing secret reaches the log: pydantic's ``SecretStr`` values, keys that
name a secret, and user:password parts of URLs are masked.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from newswire.config import Settings, masked_url_credentials

log = logging.getLogger("newswire.config")

MASK = "***"
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|credential|api_?key", re.IGNORECASE)


def masked(value: Any, key: str = "") -> Any:
    """``value`` (a ``model_dump(mode="json")`` tree) with every secret replaced by ``***``."""
    if isinstance(value, dict):
        return {k: masked(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v, key) for v in value]
    if isinstance(value, str):
        if value and _SECRET_KEY.search(key):
            return MASK
        return masked_url_credentials(value)
    return value


#: A human config line is wrapped after this many characters (one pair always fits on a line).
WRAP_AT = 160


def _pairs(section: dict[str, Any]) -> list[str]:
    """``key=value`` each; strings with spaces (or empty) quoted, so every pair reads unambiguously."""
    return [
        f"{k}={json.dumps(v) if isinstance(v, str) and (not v or ' ' in v) else v}"
        for k, v in section.items()
    ]


def _wrapped(header: str, pairs: list[str]) -> list[str]:
    """``header pair pair ...`` lines of at most :data:`WRAP_AT` characters (unless one pair is longer)."""
    lines: list[str] = []
    current = header
    for pair in pairs:
        if current != header and len(current) + 1 + len(pair) > WRAP_AT:
            lines.append(current)
            current = header
        current = f"{current} {pair}" if current else pair
    lines.append(current)
    return lines


def config_lines(settings: Settings) -> list[str]:
    """The effective configuration, masked, as lines per section and per source."""
    doc = masked(settings.model_dump(mode="json"))
    lines: list[str] = []
    top: dict[str, Any] = {}
    for name, value in doc.items():
        if name == "sources":
            for src in value:
                lines += _wrapped("[[sources]]", _pairs(src))
        elif isinstance(value, dict):
            lines += _wrapped(f"[{name}]", _pairs(value))
        else:
            top[name] = value
    if top:
        lines[:0] = _wrapped("", _pairs(top))
    return lines


def log_effective_config(settings: Settings) -> None:
    """Log the effective configuration in the configured format (see the module docstring)."""
    if settings.observe.log_format == "json":
        log.info("effective configuration", extra={"settings": masked(settings.model_dump(mode="json"))})
        return
    for line in config_lines(settings):
        log.info("effective configuration %s", line)
