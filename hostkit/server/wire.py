"""One frame for many sockets: a batch's WebSocket frame is made once and written as is.

A server's frames are not masked, so with no extension negotiated (hostkit turns
permessage-deflate off, see draining.uvicorn_config) the frame carrying an ``events``
message is the same bytes for every viewer who may read the same thing. Going through
the ASGI send path per connection would serialise it again for each, behind Starlette's
and uvicorn's per-message checks and a task switch per connection; instead the room
writes the shared bytes straight to each idle connection's transport, as
``websockets.broadcast`` does, only cheaper (the bytes are made once, not per socket).

Only for uvicorn's ``websockets-sansio`` implementation, whose connection is a
``websockets`` ServerProtocol over an asyncio transport; with any other, or a connection
that negotiated an extension, :meth:`Wire.of` answers None and the ASGI path is used.
A write is refused (and the batch goes through the connection's bounded buffer) while the
transport is pushing back, once a close was sent, or while the socket is not open.
"""

from __future__ import annotations

from typing import Any

from starlette.types import Scope
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

SEND_KEY = "hostkit.wire"  # the scope entry holding the server's own send (app.HostkitApp)


def text_frame(text: str) -> bytes:
    """An unmasked, unfragmented text frame: what every server connection would write."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class Wire:
    """The socket under one live connection, written to without the ASGI layers."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, scope: Scope) -> Wire | None:
        """The wire of a WebSocket scope, if its server lets frames be written as bytes."""
        protocol = getattr(scope.get(SEND_KEY), "__self__", None)
        if not isinstance(protocol, WebSocketsSansIOProtocol) or protocol.conn.extensions:
            return None
        return cls(protocol)

    def write(self, frame: bytes) -> bool:
        """Write a whole frame now; False (nothing written) if the socket cannot take it."""
        protocol = self._protocol
        if (
            protocol.close_sent
            or not protocol.handshake_complete
            or not protocol.writable.is_set()  # paused: the client reads slower than we send
            or protocol.conn.state is not State.OPEN
            or protocol.transport.is_closing()
        ):
            return False
        protocol.transport.write(frame)
        return True
