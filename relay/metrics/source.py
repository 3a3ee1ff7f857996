"""What the figures' HTTP API and `/metrics` read from the running relay (`relay.server.Relay` is one).

A Protocol, so that relay/metrics/ never imports the server that mounts it (no import cycle).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from relay.calls import Calls
from relay.clock import Clock
from relay.desk import Desk
from relay.metrics.book import MetricsBook
from relay.sessions import Connection, Principal
from relay.store import Store


class RelayView(Protocol):
    store: Store
    clock: Clock
    desk: Desk
    book: MetricsBook
    calls: Calls
    connections: set[Connection]

    async def principal_for(self, token: str) -> Principal | None:
        """Whose bearer token this is, if it is valid."""

    async def answer_api(self, principal: Principal, path: str, query: Mapping[str, str]) -> tuple[int, bytes]:
        """A supervisor's API request answered (status, JSON body): here if this relay leads routing,
        else by the relay that does."""
