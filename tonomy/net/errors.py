"""Errors of the network layer, with stable ``net.*`` codes.

They live beside the code that raises them and join the one code table in
``tonomy.errors`` through ``register_error``. Every one of them ends a single
connection: none is allowed to escape a peer's task and stop the node.
"""

from __future__ import annotations

from tonomy.errors import TonomyError, register_error


class NetError(TonomyError, ConnectionError):
    """Base of every network-layer failure; the connection it happened on is closed."""

    code = "net.error"


class HandshakeError(NetError):
    """The peer did not complete a valid handshake (bad message, bad signature, MITM)."""

    code = "net.handshake_failed"


class WrongPeerError(HandshakeError):
    """The peer proved an identity other than the one we dialled for (or our own)."""

    code = "net.wrong_peer"


class ChainMismatchError(HandshakeError):
    code = "net.wrong_chain"


class VersionMismatchError(HandshakeError):
    """No protocol version both sides speak."""

    code = "net.version_mismatch"


class HandshakeTimeoutError(HandshakeError):
    code = "net.handshake_timeout"


class ProtocolViolationError(NetError):
    """Malformed, oversize, unknown or unsolicited traffic after the handshake."""

    code = "net.protocol"


class FrameTooLargeError(ProtocolViolationError):
    code = "net.frame_too_large"


class FrameAuthError(ProtocolViolationError):
    """A frame failed authentication: tampered, forged, or encrypted under another key."""

    code = "net.frame_auth"


class FrameReplayError(ProtocolViolationError):
    """A frame's counter is not the next one: replayed, reordered or dropped in between."""

    code = "net.frame_replay"


class RateLimitedError(ProtocolViolationError):
    """The peer sent more bytes or messages per second than its allowance (flooding)."""

    code = "net.rate_limited"


class BackpressureError(NetError):
    """The peer reads too slowly: its outbound queue would exceed the allowed bytes."""

    code = "net.backpressure"


class PeerBannedError(NetError):
    code = "net.banned"


class ConnectionClosedError(NetError):
    code = "net.closed"


for _cls in (
    NetError,
    HandshakeError,
    WrongPeerError,
    ChainMismatchError,
    VersionMismatchError,
    HandshakeTimeoutError,
    ProtocolViolationError,
    FrameTooLargeError,
    FrameAuthError,
    FrameReplayError,
    RateLimitedError,
    BackpressureError,
    PeerBannedError,
    ConnectionClosedError,
):
    register_error(_cls)
