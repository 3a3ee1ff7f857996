"""Kefu relay: authenticates agents and buyers, stores and routes chat messages."""

__version__ = "0.1.0"
