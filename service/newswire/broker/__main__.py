"""``python -m newswire.broker``: download the broker's jars (if missing) and print their folder."""

from __future__ import annotations

import logging
import sys

from newswire.broker._jars import DEFAULT_KAFKA_VERSION, ensure_jars
from newswire.errors import BrokerError


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        libs = ensure_jars(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_KAFKA_VERSION)
    except BrokerError as exc:
        print(f"newswire: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(f"{libs}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
