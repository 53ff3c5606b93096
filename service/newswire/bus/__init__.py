"""All of newswire's Kafka code: topics, clients, the records of every topic, and the runner.

``records/`` holds each topic's record format (one module per topic);
``runner.py`` the one consume-process-transact loop every consuming role runs
in; ``clients.py`` every client setting; ``redo.py`` the redo-streak watch.
Only this package imports aiokafka. Errors leave it as
:class:`~newswire.errors.BusError`.
"""

from newswire.bus._errors import translate
from newswire.bus.admin import (
    cluster_info,
    describe_topics,
    ensure_topics,
    limit_mismatches,
    list_topics,
    missing_topics,
)
from newswire.bus.clients import (
    PartitionTracker,
    make_consumer,
    make_producer,
    send_all,
    start_client,
    transact,
)
from newswire.bus.records import (
    CE_TYPE_ARTICLE,
    CE_TYPE_DEAD_LETTER,
    CE_TYPE_ENRICHED,
    CE_TYPE_RAW_PAGE,
    Headers,
    cloudevent_headers,
    dead_letter,
    header,
)
from newswire.bus.topics import TopicSpec, topic_specs

__all__ = [
    "CE_TYPE_ARTICLE",
    "CE_TYPE_DEAD_LETTER",
    "CE_TYPE_ENRICHED",
    "CE_TYPE_RAW_PAGE",
    "Headers",
    "PartitionTracker",
    "TopicSpec",
    "cloudevent_headers",
    "cluster_info",
    "dead_letter",
    "describe_topics",
    "ensure_topics",
    "header",
    "limit_mismatches",
    "list_topics",
    "make_consumer",
    "make_producer",
    "missing_topics",
    "send_all",
    "start_client",
    "topic_specs",
    "transact",
    "translate",
]
