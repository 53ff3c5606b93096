"""newswire: Kafka-native news ingestion.

The public surface is small: the event types and their codec, the error tree,
and the settings object. Everything else lives in stage packages
(``sources``, ``fetch``, ``extract``, ``enrich``, ``bus``, ``daemons``).
"""

from newswire.config import Settings, load_settings
from newswire.errors import (
    BlockedError,
    BrokerError,
    BusError,
    ConfigError,
    EnrichError,
    EventError,
    ExtractError,
    FetchError,
    NewswireError,
    SourceError,
)
from newswire.events import (
    SCHEMA_VERSION,
    ArticleEvent,
    EnrichedEvent,
    decode_article,
    decode_enriched,
    encode_event,
)

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "ArticleEvent",
    "BlockedError",
    "BrokerError",
    "BusError",
    "ConfigError",
    "EnrichError",
    "EnrichedEvent",
    "EventError",
    "ExtractError",
    "FetchError",
    "NewswireError",
    "Settings",
    "SourceError",
    "__version__",
    "decode_article",
    "decode_enriched",
    "encode_event",
    "load_settings",
]
