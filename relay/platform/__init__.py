"""The marketplace's open API as the relay needs it; `demo.py` stands in for a real adapter."""

from relay.platform.interface import Platform, PlatformError, RoutingFacts

__all__ = ["Platform", "PlatformError", "RoutingFacts"]
