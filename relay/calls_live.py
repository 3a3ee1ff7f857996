"""One open call as the relay holds it in memory (`LiveCall`): its record, its timers, and the agent's
connection that owns its media. `relay.calls.Calls` keeps one per call that is not over."""

from __future__ import annotations

from dataclasses import dataclass, field

from relay.clock import TimerHandle
from relay.sessions import Connection
from relay.store.interface import CallRow

OPEN_STATES = frozenset({"invited", "accepted", "connected"})


@dataclass
class LiveCall:
    """A call that is not over yet, and its timers."""

    row: CallRow
    timers: dict[str, TimerHandle] = field(default_factory=dict)
    agent_conn: Connection | None = None
    """The agent's connection that owns the call's media (the workstation that invited); signals go
    there only. Another workstation of the same agent sees the call but never takes part in it."""
    stored: bool = True
    """False while its invitation card is being stored: nobody is told of the call before it is."""

    def cancel(self, *names: str) -> None:
        for name in names or tuple(self.timers):
            timer = self.timers.pop(name, None)
            if timer is not None:
                timer.cancel()
