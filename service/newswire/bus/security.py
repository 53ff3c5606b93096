"""How every Kafka client newswire creates connects and authenticates: TLS and SASL from ``[kafka]``.

One function, :func:`client_security`, turns the settings into the keyword arguments that
aiokafka's producer, consumer and admin client all take, so a producer can never talk TLS while
the admin client next to it does not. The keys are named as aiokafka names them; see
``docs/kafka-security.md`` for worked examples.
"""

from __future__ import annotations

import ssl
from typing import Any

from newswire.config import KafkaSettings


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext:
    """A client TLS context: the system's CAs, or only ``ssl_cafile``; a client certificate when set.

    Certificates are always verified; ``ssl_check_hostname = false`` only stops matching the
    broker's name against its certificate (brokers reached by an address their certificate
    does not name).
    """
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH, cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None
    )
    context.check_hostname = kafka.ssl_check_hostname
    if kafka.ssl_certfile is not None:
        context.load_cert_chain(
            str(kafka.ssl_certfile), str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None
        )
    return context


def client_security(kafka: KafkaSettings) -> dict[str, Any]:
    """The ``security_protocol``, ``ssl_context`` and ``sasl_*`` keyword arguments of an aiokafka client."""
    kwargs: dict[str, Any] = {"security_protocol": kafka.security_protocol}
    if kafka.security_protocol in ("SSL", "SASL_SSL"):
        kwargs["ssl_context"] = ssl_context(kafka)
    if kafka.security_protocol.startswith("SASL_"):
        kwargs["sasl_mechanism"] = kafka.sasl_mechanism
        kwargs["sasl_plain_username"] = kafka.sasl_username
        kwargs["sasl_plain_password"] = (
            kafka.sasl_password.get_secret_value() if kafka.sasl_password is not None else None
        )
    return kwargs
