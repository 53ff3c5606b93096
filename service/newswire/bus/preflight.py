"""One connection to Kafka before anything else, to turn a security mismatch into one clear line.

aiokafka's clients swallow why a bootstrap connection failed (a refused password, an untrusted
certificate, a TLS port spoken to in plaintext all end as "Unable to bootstrap from ...") and
the daemons would then retry for minutes. :func:`check_connection` opens one connection the way
the clients will (same TLS and SASL settings, see :mod:`newswire.bus.security`), sends the first
metadata request, and raises a :class:`~newswire.errors.BusError` that says which key to fix
when the cause is a setting, or which servers could not be reached and why (connection refused,
unknown host, no answer) when none could: one line, instead of aiokafka's own ERROR line followed
by its "Unable to bootstrap from [(..., <AddressFamily.AF_INET: 2>)]". The daemons run it at start
and the one-shot commands (``topics``, ``tail``, ``status``, ``replay``, ``backfill``) before they
connect.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl

from aiokafka.conn import create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from aiokafka.protocol.metadata import MetadataRequest

from newswire.bus.security import client_security
from newswire.config import KafkaSettings, Settings
from newswire.errors import BusError

#: Seconds one probe waits for the broker: a TLS port read in plaintext may never answer.
PROBE_TIMEOUT_S = 10.0


async def check_connection(settings: Settings, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Return once one bootstrap server answers a metadata request with these settings; raise a
    :class:`BusError` naming the key to fix when a server refuses them."""
    servers = [server.strip() for server in settings.kafka.bootstrap_servers.split(",")]
    unreachable: list[str] = []
    for server in servers:
        host, _, port = server.rpartition(":")
        if (reason := await _unreachable(host, int(port), timeout_s)) is not None:
            unreachable.append(f"{server} ({reason})")
            continue
        problem = await _probe(host, int(port), settings.kafka, timeout_s)
        if problem is None:
            return
        if problem:
            raise BusError(problem)
    if len(unreachable) == len(servers):
        raise BusError(
            f"cannot reach Kafka at {', '.join(unreachable)}. Is the broker running? "
            "Set KAFKA_BOOTSTRAP_SERVERS or kafka.bootstrap_servers, or run `newswire broker`."
        )
    # A server took the connection but the probe could not tell why it went wrong: the clients
    # say so in their own words.


async def _probe(host: str, port: int, kafka: KafkaSettings, timeout_s: float) -> str | None:
    """None when the server answered; a line saying what to fix; "" when the probe cannot tell."""
    where = f"{host}:{port}"
    try:
        conn = await asyncio.wait_for(
            create_conn(
                host,
                port,
                client_id=f"{kafka.client_id}-preflight",
                request_timeout_ms=int(timeout_s * 1000),
                **client_security(kafka),
            ),
            timeout_s,
        )
        try:
            await asyncio.wait_for(conn.send(MetadataRequest([])), timeout_s)
        finally:
            conn.close()
        return None
    except ssl.SSLCertVerificationError as exc:
        return _untrusted(where, kafka, exc)
    except ssl.SSLError as exc:
        return _tls_refused(where, exc)
    except (SaslAuthenticationFailed, AuthenticationFailedError):
        return (
            f"Kafka at {where} refused the {kafka.sasl_mechanism} login of user {kafka.sasl_username!r}: "
            "check kafka.sasl_username and kafka.sasl_password (and kafka.sasl_mechanism)"
        )
    except UnsupportedSaslMechanismError as exc:
        return (
            f"Kafka at {where} does not offer SASL mechanism {kafka.sasl_mechanism} ({exc}); "
            "set kafka.sasl_mechanism to one it does"
        )
    except (KafkaConnectionError, TimeoutError, ConnectionResetError, asyncio.IncompleteReadError):
        return await _dropped(host, port, kafka, timeout_s)
    except (OSError, KafkaError):
        return ""


def _untrusted(where: str, kafka: KafkaSettings, exc: ssl.SSLCertVerificationError) -> str:
    reason = exc.verify_message or str(exc)
    if "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
        return (
            f"the TLS certificate of Kafka at {where} does not name that host ({reason}): connect by "
            "a name the certificate holds, or set kafka.ssl_check_hostname = false"
        )
    trusted = f"the CA in {kafka.ssl_cafile}" if kafka.ssl_cafile else "the system's CAs"
    return (
        f"the TLS certificate of Kafka at {where} is not trusted by {trusted} ({reason}): "
        "set kafka.ssl_cafile to the CA file that signed the broker's certificate"
    )


def _tls_refused(where: str, exc: ssl.SSLError) -> str:
    reason = (exc.reason or str(exc)).upper()
    if "CERTIFICATE_REQUIRED" in reason or "HANDSHAKE_FAILURE" in reason or "BAD_CERTIFICATE" in reason:
        return (
            f"Kafka at {where} refused the TLS handshake ({exc.reason}): it wants a client certificate "
            "it trusts; set kafka.ssl_certfile and kafka.ssl_keyfile"
        )
    if "WRONG_VERSION_NUMBER" in reason or "RECORD_LAYER" in reason or "PACKET_LENGTH" in reason:
        return (
            f"the broker at {where} does not speak TLS; set kafka.security_protocol to "
            "PLAINTEXT (or SASL_PLAINTEXT), or point kafka.bootstrap_servers at its TLS listener"
        )
    return f"TLS with Kafka at {where} failed ({exc.reason or exc}); check kafka.ssl_* settings"


async def _dropped(host: str, port: int, kafka: KafkaSettings, timeout_s: float) -> str:
    """Why a server that accepted the connection dropped it (or never answered its first request)."""
    where = f"{host}:{port}"
    protocol = kafka.security_protocol
    if protocol in ("PLAINTEXT", "SASL_PLAINTEXT") and await _speaks_tls(host, port, timeout_s):
        return (
            f"the broker at {where} does not speak {protocol} (it answers in TLS); "
            "set kafka.security_protocol (SSL or SASL_SSL) and kafka.ssl_cafile"
        )
    fix = {
        "PLAINTEXT": "if its listener wants SASL, set kafka.security_protocol = SASL_PLAINTEXT, kafka.sasl_*",
        "SASL_PLAINTEXT": "its listener may not use SASL (set kafka.security_protocol = PLAINTEXT)",
        "SSL": (
            "if its listener wants a client certificate (mutual TLS), set kafka.ssl_certfile and "
            "kafka.ssl_keyfile to one its CA signed; if it wants SASL, set kafka.security_protocol = SASL_SSL"
        ),
        "SASL_SSL": (
            "its listener may not use SASL (set kafka.security_protocol = SSL), or may want a client "
            "certificate as well (kafka.ssl_certfile, kafka.ssl_keyfile)"
        ),
    }[protocol]
    return f"the broker at {where} accepted the connection but dropped the first {protocol} request; {fix}"


async def _unreachable(
    host: str, port: int, timeout_s: float, *, tls: ssl.SSLContext | None = None
) -> str | None:
    """Why a TCP connection to ``host:port`` does not open (or, with ``tls``, its handshake does
    not complete), or None when it does: what follows is then about the protocol."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=tls), timeout_s)
    except TimeoutError:
        return f"no answer within {timeout_s:g}s"
    except socket.gaierror as exc:
        return f"unknown host: {exc.strerror}"
    except OSError as exc:
        return os.strerror(exc.errno).lower() if exc.errno else str(exc)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return None


async def _speaks_tls(host: str, port: int, timeout_s: float) -> bool:
    """Whether a TLS handshake with ``host:port`` completes (certificate not checked: only the protocol)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return await _unreachable(host, port, timeout_s, tls=context) is None
