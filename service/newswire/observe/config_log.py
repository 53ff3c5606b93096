"""Log the effective configuration once at start: readable, and with secrets masked.

Human logs get one line per section (``[kafka] bootstrap_servers=... partitions=6``), one per
source; JSON logs get one record whose ``settings`` field is the whole configuration as an
object. Either way nothing secret reaches the log: pydantic's ``SecretStr`` values, keys that
name a secret, and user:password parts of URLs are masked.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from newswire.config import Settings

log = logging.getLogger("newswire.config")

MASK = "***"
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|credential|api_?key|sasl", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def masked(value: Any, key: str = "") -> Any:
    """``value`` (a ``model_dump(mode="json")`` tree) with every secret replaced by ``***``."""
    if isinstance(value, dict):
        return {k: masked(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v, key) for v in value]
    if isinstance(value, str):
        if value and _SECRET_KEY.search(key):
            return MASK
        return _URL_USERINFO.sub(rf"\g<scheme>{MASK}@", value)
    return value


def _pairs(section: dict[str, Any]) -> str:
    """``key=value ...``; strings with spaces (or empty) quoted, so every pair reads unambiguously."""
    return " ".join(
        f"{k}={json.dumps(v) if isinstance(v, str) and (not v or ' ' in v) else v}"
        for k, v in section.items()
    )


def config_lines(settings: Settings) -> list[str]:
    """The effective configuration, masked, as one line per section and one per source."""
    doc = masked(settings.model_dump(mode="json"))
    lines, top = [], {}
    for name, value in doc.items():
        if name == "sources":
            lines += [f"[[sources]] {_pairs(src)}" for src in value]
        elif isinstance(value, dict):
            lines.append(f"[{name}] {_pairs(value)}")
        else:
            top[name] = value
    if top:
        lines.insert(0, _pairs(top))
    return lines


def log_effective_config(settings: Settings) -> None:
    """Log the effective configuration in the configured format (see the module docstring)."""
    if settings.observe.log_format == "json":
        log.info("effective configuration", extra={"settings": masked(settings.model_dump(mode="json"))})
        return
    for line in config_lines(settings):
        log.info("effective configuration %s", line)
