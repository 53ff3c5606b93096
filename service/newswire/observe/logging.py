"""Structured logging: human-readable lines or JSON lines (``observe.log_format = "json"``)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from newswire.config import masked_url_credentials

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any ``extra=`` fields.

    URL credentials are masked in the message, in string extras and in the traceback (see
    :class:`HumanFormatter`), each before JSON escaping, which the masker's patterns do not know.
    """

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": masked_url_credentials(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                doc[key] = masked_url_credentials(value) if isinstance(value, str) else value
        if record.exc_info:
            doc["exception"] = masked_url_credentials(self.formatException(record.exc_info))
        return orjson.dumps(doc, default=str).decode()


class HumanFormatter(logging.Formatter):
    """``time level logger: message key=value ...``, then any traceback.

    The user:password and credential query parameters of every URL in the whole line, traceback
    included, are masked (``http://***@host/...``, ``...?token=***``): a source's feed URL may
    carry credentials (a paid feed), and errors quote the URL they failed on, in their message
    or in the exception a traceback shows. The effective-configuration dump masks them itself.
    """

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")
        )
        line = (
            f"{datetime.fromtimestamp(record.created).strftime('%H:%M:%S')} {record.levelname:<7} "
            f"{record.name}: {record.getMessage()}{' ' + extras if extras else ''}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return masked_url_credentials(line)


class RetriedProduceFilter(logging.Filter):
    """Demote aiokafka's warning for a produce request it is about to retry to DEBUG.

    aiokafka warns on every retry of a batch the broker refused for a passing reason: a
    partition whose leader is not known yet, or (Kafka 3.6+ verifying transactions) a partition
    whose previous transaction is still writing its commit markers, which the broker reports to
    older clients as ``NotEnoughReplicasError``. Both happen on a healthy start and after every
    rebalance, and the sender retries them itself; a batch that never gets through fails its
    transaction, which newswire logs as an error of its own.
    """

    _RETRIED = ("NotLeaderForPartitionError", "NotEnoughReplicasError")

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.levelno == logging.WARNING
            and record.name == "aiokafka.producer.sender"
            and record.msg.startswith("Got error produce response on topic-partition")
            and any(name in str(record.args) for name in self._RETRIED)
        ):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def setup_logging(log_format: str = "human", level: str = "INFO") -> None:
    """Configure the root logger once (stderr); quiet chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else HumanFormatter())
    handler.addFilter(RetriedProduceFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "httpx", "httpcore", "kafka"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # trafilatura is asked for a second opinion on some pages and logs ERROR lines ("empty HTML
    # tree", "discarding data") for pages newswire then judges and reports itself.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
