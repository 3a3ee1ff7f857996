"""Keep aiortc's ICE (aioice) on loopback in tests: no media packet may leave the machine.

aiortc has no setting for this. aioice lists host addresses with the module function
`aioice.ice.get_host_addresses`, which deliberately leaves out 127.0.0.1, so the agent would offer
only the machine's real interfaces. Limiting it to 127.0.0.1 is not enough on its own: Chromium
gathers on every interface and checks our 127.0.0.1 candidate from each of its sockets; aioice
answers a check from, say, 192.0.2.2, learns it as a peer-reflexive candidate and may nominate
it. So checks from non-loopback sources are dropped, and so are trickled remote candidates that
are not loopback. (The spike report of issue 6, section 1, has the measurements.)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import aioice.ice


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # an mDNS name (Chromium hides local addresses behind them unless told not to)
        return False


@contextmanager
def loopback_only_ice() -> Iterator[None]:
    """Within the block, every aioice connection gathers, answers and checks on 127.0.0.1 only."""
    original_request = aioice.ice.Connection.request_received
    original_add = aioice.ice.Connection.add_remote_candidate

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return ["127.0.0.1"] if use_ipv4 else []

    def request_received(self: Any, message: Any, addr: tuple[str, int], protocol: Any) -> None:
        if _is_loopback(addr[0]):
            original_request(self, message, addr, protocol)

    async def add_remote_candidate(self: Any, candidate: Any) -> None:
        if candidate is None or _is_loopback(candidate.host):
            await original_add(self, candidate)

    with (
        mock.patch.object(aioice.ice, "get_host_addresses", host_addresses),
        mock.patch.object(aioice.ice.Connection, "request_received", request_received),
        mock.patch.object(aioice.ice.Connection, "add_remote_candidate", add_remote_candidate),
    ):
        yield
