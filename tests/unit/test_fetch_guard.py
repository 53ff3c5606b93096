"""The SSRF address guard: which addresses are internal, exemptions, DNS answers, rebinding."""

from __future__ import annotations

import ipaddress
import socket

import httpcore
import pytest

from newswire.errors import BlockedError, FetchError
from newswire.fetch._guard import AddressGuard, GuardedNetworkBackend, Resolver, blocked_reason


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local/metadata"),
        ("169.254.0.1", "link-local/metadata"),
        ("fe80::1", "link-local/metadata"),
        ("fd00:ec2::254", "link-local/metadata"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "reserved"),  # TEST-NET-1, not routable
        ("::ffff:127.0.0.1", "IPv6 form of 127.0.0.1, a loopback"),
        ("::ffff:169.254.169.254", "IPv6 form of 169.254.169.254, a link-local/metadata"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "IPv6 form of 169.254.169.254"),  # NAT64
        ("2002:7f00:1::", "IPv6 form of 127.0.0.1"),  # 6to4
        ("::127.0.0.1", "IPv6 form of 127.0.0.1"),  # deprecated IPv4-compatible
    ],
)
def test_internal_addresses_are_refused(address: str, fragment: str) -> None:
    reason = blocked_reason(ipaddress.ip_address(address))
    assert reason is not None and fragment in reason


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "8.8.8.8",
        "100.63.255.255",
        "100.128.0.1",
        "172.32.0.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def _resolver(answers: dict[str, list[str]]) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    return resolve


async def test_literal_metadata_address_message_names_the_setting() -> None:
    guard = AddressGuard()
    url = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(BlockedError) as caught:
        await guard.check("169.254.169.254", 80, url)
    message = str(caught.value)
    assert message.startswith(f"refusing to fetch {url}: 169.254.169.254 is a link-local/metadata address")
    assert "fetch.allowed_hosts" in message
    assert caught.value.url == url and caught.value.retryable is False


async def test_name_resolving_to_a_private_address_is_refused() -> None:
    guard = AddressGuard(resolver=_resolver({"intranet.example": ["93.184.215.14", "10.0.0.7"]}))
    with pytest.raises(BlockedError, match=r"intranet\.example resolves to 10\.0\.0\.7, a private-network"):
        await guard.check("intranet.example", 443, "https://intranet.example/")


async def test_public_name_passes() -> None:
    guard = AddressGuard(resolver=_resolver({"news.example": ["93.184.215.14"]}))
    await guard.check("news.example", 80, "http://news.example/")


async def test_unknown_name_is_a_permanent_fetch_error() -> None:
    guard = AddressGuard(resolver=_resolver({}))
    with pytest.raises(FetchError, match=r"cannot resolve nowhere\.invalid") as caught:
        await guard.check("nowhere.invalid", 80, "http://nowhere.invalid/")
    assert not isinstance(caught.value, BlockedError) and not caught.value.retryable


@pytest.mark.parametrize(
    ("allowed", "host", "port", "exempt"),
    [
        (("127.0.0.1:8080",), "127.0.0.1", 8080, True),
        (("127.0.0.1:8080",), "127.0.0.1", 8081, False),  # another port on the same host stays refused
        (("127.0.0.1",), "127.0.0.1", 9092, True),
        (("Intranet.Example",), "intranet.example", 80, True),
        (("[::1]:8080",), "::1", 8080, True),
        (("::1",), "::1", 1, True),
        ((), "127.0.0.1", 80, False),
    ],
)
def test_allowed_hosts(allowed: tuple[str, ...], host: str, port: int, exempt: bool) -> None:
    assert AddressGuard(allowed_hosts=allowed).is_exempt(host, port) is exempt


async def test_allow_private_networks_switches_the_guard_off() -> None:
    await AddressGuard(allow_private_networks=True).check("10.0.0.1", 80, "http://10.0.0.1/")


class _RecordingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        raise httpcore.ConnectError("recorded only")


async def test_backend_connects_to_the_checked_address_not_the_name() -> None:
    inner = _RecordingBackend()
    guard = AddressGuard(resolver=_resolver({"news.example": ["93.184.215.14", "93.184.215.15"]}))
    backend = GuardedNetworkBackend(guard, inner)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("news.example", 80, timeout=1.0)
    assert inner.connected == [("93.184.215.14", 80), ("93.184.215.15", 80)]


async def test_backend_refuses_a_rebound_name() -> None:
    """The URL check saw a public address; at connect time the name points inside."""
    answers = {"rebind.example": ["93.184.215.14"]}
    guard = AddressGuard(resolver=_resolver(answers))
    await guard.check("rebind.example", 80, "http://rebind.example/")
    answers["rebind.example"] = ["127.0.0.1"]
    inner = _RecordingBackend()
    with pytest.raises(BlockedError, match="loopback"):
        await GuardedNetworkBackend(guard, inner).connect_tcp("rebind.example", 80, timeout=1.0)
    assert inner.connected == []
