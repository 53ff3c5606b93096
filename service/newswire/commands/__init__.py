"""One-shot commands of the ``newswire`` CLI, one module each: they run, report and exit.

``backfill`` (queue an archive's URLs), ``replay`` (re-extract stored pages),
``status`` (sources and hosts, read back from Kafka) and ``doctor`` (check a
deployment). The long-running daemons live in :mod:`newswire.daemons`.
"""
