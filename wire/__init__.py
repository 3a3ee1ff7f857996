"""Wire protocol shared by the relay and its clients: frame types, error codes, codec.

This package is the only code that both `relay/` and `app/` import. It holds data shapes,
never behaviour that belongs to one side.
"""

PROTOCOL_VERSION = 1
"""Bumped on any incompatible change of a frame; the relay refuses other versions at the handshake."""

MAX_FRAME_BYTES = 64 * 1024
"""Largest frame a peer may send; larger frames are refused with `too_large` and not processed."""

MAX_TEXT_CHARS = 5000
"""Longest chat text, in characters."""

MIN_PASSWORD_CHARS = 8
"""Shortest password an account may have (at creation and at a change)."""
