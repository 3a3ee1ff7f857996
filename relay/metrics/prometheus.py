"""`GET /metrics`: the relay and every shop's figures of today in Prometheus' text format.

A collector reads the live figures when Prometheus scrapes, so the numbers are the wallboard's
and the API's. Labels are bounded: `shop` (a slug) and `agent` (an account id, or "all" for the
whole shop), never a buyer. docs/metrics.md lists every metric.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from relay.metrics.cells import Sums, merged
from relay.metrics.source import RelayView

ALL = "all"
"""The `agent` label of a shop's own total."""
SECOND_BUCKETS = (10.0, 30.0, 60.0, 120.0, 180.0, 300.0, 600.0, 1800.0)
DURATION_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)

_TODAY = (
    # name, help, what of Figures
    ("rounds", "Decided reply rounds started today in counted hours", "rounds"),
    ("rounds_on_time", "Of those, rounds answered within 180 s", "rounds_on_time"),
    ("rounds_pending", "Rounds still open and younger than 180 s", "rounds_pending"),
    ("reply_rate_3min", "3-minute manual reply rate today (0-1)", "reply_rate_3min"),
    ("pdd_reply_rate", "PDD-style effective reply rate today (0-1)", "pdd_reply_rate"),
    ("avg_reply_seconds", "Mean reply time over answered rounds today", "avg_reply_s"),
    ("first_response_mean_seconds", "Mean first response time today", "frt_mean_s"),
    ("sessions", "Chats opened today", "sessions"),
    ("resolved", "Chats opened today and resolved", "resolved"),
    ("abandoned", "Chats opened today that their buyer left before any human reply", "abandoned"),
    ("transfers", "Transfers today", "transfers"),
    ("calls_invited", "Video invitations today", "calls_invited"),
    ("calls_accepted", "Video invitations accepted today", "calls_accepted"),
    ("calls_connected", "Video calls connected today", "calls_connected"),
    ("connect_rate", "Connected / invited video calls today (0-1)", "connect_rate_invited"),
    ("complaints", "Complaints about calls invited today", "complaints"),
    ("ratings", "Ratings of chats opened today", "ratings"),
    ("csat", "Share of 4-5 star ratings today (0-1)", "csat"),
)


def _histogram(name: str, doc: str) -> HistogramMetricFamily:
    return HistogramMetricFamily(name, doc, labels=["shop"])


def _observe(family: HistogramMetricFamily, shop: str, values: list[float], buckets: tuple[float, ...]) -> None:
    counts = [(str(b), sum(1 for v in values if v <= b)) for b in buckets]
    counts.append(("+Inf", len(values)))
    family.add_metric([shop], counts, sum_value=sum(values))


class RelayCollector(Collector):
    """Everything /metrics shows, read from the relay at scrape time."""

    def __init__(self, relay: RelayView) -> None:
        self._relay = relay

    def collect(self) -> Iterator[Metric]:
        relay = self._relay
        desk, book = relay.desk, relay.book
        connections = GaugeMetricFamily("kefu_connections", "Open WebSocket connections", labels=["role"])
        by_role: dict[str, int] = {"buyer": 0, "agent": 0, "supervisor": 0}
        for conn in relay.connections:
            by_role[conn.principal.role] = by_role.get(conn.principal.role, 0) + 1
        for role, n in sorted(by_role.items()):
            connections.add_metric([role], n)
        yield connections
        events = CounterMetricFamily("kefu_figure_events", "Fact changes applied to the live figures")
        events.add_metric([], book.events)
        yield events

        queue = {name: GaugeMetricFamily(f"kefu_{name}", doc, labels=["shop"]) for name, doc in (
            ("queue_length", "Chats waiting for an agent"),
            ("queue_longest_wait_seconds", "How long the oldest queued chat has waited"),
            ("chats_near_due", "Open chats whose buyer has waited 100-180 s for a reply"),
            ("chats_overdue", "Open chats whose buyer has waited 180 s or more"),
            ("agents_online", "Agents online"),
            ("active_chats", "Chats assigned now"),
        )}
        messages = CounterMetricFamily("kefu_messages", "Messages stored since the relay started",
                                       labels=["shop", "sender"])
        today = {name: GaugeMetricFamily(f"kefu_today_{name}", doc, labels=["shop", "agent"])
                 for name, doc, _ in _TODAY}
        frt = _histogram("kefu_first_response_seconds", "First response times of today's chats (resets at midnight)")
        connect = _histogram("kefu_call_connect_seconds", "Accept-to-media times of today's calls")
        duration = _histogram("kefu_call_duration_seconds", "Durations of today's ended calls")
        for shop_id in desk.shop_ids():
            shop = desk.shop_slug(shop_id)
            q = desk.queue_figures(shop_id)
            for name, value in (("queue_length", q.queued), ("queue_longest_wait_seconds", q.longest_wait_s or 0),
                                ("chats_near_due", q.near_due), ("chats_overdue", q.overdue),
                                ("agents_online", q.agents_online), ("active_chats", q.active_chats)):
                queue[name].add_metric([shop], value)
            for sender, n in sorted(book.messages(shop_id).items()):
                messages.add_metric([shop, sender], n)
            report = book.today(shop_id)
            scopes = [(ALL, report.total), *((a.agent_id, a.figures) for a in report.agents)]
            for agent, figures in scopes:
                for name, _, attribute in _TODAY:
                    value = getattr(figures, attribute)
                    if value is not None:
                        today[name].add_metric([shop, agent], value)
            cells: Sums = merged(book.cells(shop_id))
            _observe(frt, shop, [v / 1000 for v in cells.frt_ms], SECOND_BUCKETS)
            _observe(connect, shop, [v / 1000 for v in cells.connect_ms], SECOND_BUCKETS)
            _observe(duration, shop, [float(v) for v in cells.durations_s], DURATION_BUCKETS)
        yield from queue.values()
        yield messages
        yield from today.values()
        yield from (frt, connect, duration)


def registry_for(relay: RelayView) -> CollectorRegistry:
    """A registry of this relay's own (not the process-wide default: tests run several relays)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RelayCollector(relay))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
