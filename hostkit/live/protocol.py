"""The wire protocol shared by the WebSocket and the HTTP fallback (docs/protocol.md).

Client messages are decoded into strict structs: unknown fields, wrong types and
oversized ids are refused with a message naming the offending field.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from hostkit.domain.commands import ClientCommand
from hostkit.domain.rejections import Rejection
from hostkit.store.base import StoredEvent
from hostkit.text.markdown import render_markdown

# Close codes of the WebSocket (docs/protocol.md names each).
CLOSE_UNAUTHORISED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_UNKNOWN_SESSION = 4404
CLOSE_TOO_SLOW = 4408
CLOSE_SESSION_DELETED = 4410
CLOSE_TOO_MANY = 4429
CLOSE_SHUTTING_DOWN = 4503

CommandId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
MAX_MESSAGE_BYTES = 192 * 1024  # a 10,000-character text, even as JSON \u escapes


class Hello(msgspec.Struct, tag="hello", forbid_unknown_fields=True, frozen=True):
    token: Annotated[str, msgspec.Meta(max_length=512)]
    last_seq: Annotated[int, msgspec.Meta(ge=0)] = 0
    # the epoch of the welcome that last_seq counts from: another one means start afresh
    epoch: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class CommandMessage(msgspec.Struct, tag="command", forbid_unknown_fields=True, frozen=True):
    id: CommandId
    command: ClientCommand
    # a hall laptop (relay) forwarding a phone's command: the phone's participant id
    on_behalf_of: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class Ping(msgspec.Struct, tag="ping", forbid_unknown_fields=True, frozen=True):
    pass


ClientMessage = Hello | CommandMessage | Ping

_client_decoder: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)
_command_decoder: msgspec.json.Decoder[CommandMessage] = msgspec.json.Decoder(CommandMessage)
_encoder = msgspec.json.Encoder()


class BadMessage(Exception):
    """A client message that is not valid JSON of a known shape; the text says why."""


def decode_client(data: str | bytes) -> ClientMessage:
    if len(data) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"Message larger than {MAX_MESSAGE_BYTES} bytes.")
    try:
        return _client_decoder.decode(data)
    except msgspec.DecodeError as error:
        raise BadMessage(str(error)) from None


def decode_command(data: bytes) -> CommandMessage:
    """The body of an HTTP command post: ``{"id": ..., "command": {...}}``."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise BadMessage(f"Message larger than {MAX_MESSAGE_BYTES} bytes.")
    try:
        return _command_decoder.decode(data)
    except msgspec.DecodeError as error:
        raise BadMessage(str(error)) from None


class _Words(msgspec.Struct):
    """The words of a posted contribution (its other fields are passed through raw)."""

    text: str


_words_decoder: msgspec.json.Decoder[_Words] = msgspec.json.Decoder(_Words)


def event_json(stored: StoredEvent) -> dict[str, Any]:
    out = {
        "seq": stored.seq,
        "type": stored.type,
        "at": stored.at,
        "actor": stored.actor,
        "command_id": stored.command_id,
        "data": msgspec.Raw(stored.body.encode()),
    }
    if stored.type == "contribution_posted":
        # the words as every page and export shows them: pages insert this, never
        # parse Markdown themselves (see hostkit/text/markdown.py)
        out["html"] = render_markdown(_words_decoder.decode(stored.body).text)
    return out


def events_message(events: list[StoredEvent]) -> bytes:
    return _encoder.encode({"type": "events", "events": [event_json(e) for e in events]})


def encode(message: dict[str, Any]) -> bytes:
    return _encoder.encode(message)


def ack_message(command_id: str, seq: int, duplicate: bool) -> dict[str, Any]:
    return {"type": "ack", "id": command_id, "seq": seq, "duplicate": duplicate}


def kept_message(command_id: str, seq: int) -> dict[str, Any]:
    """A hall laptop kept the command (docs/relay.md): no ack yet; send it again later."""
    return {"type": "kept", "id": command_id, "seq": seq}


def rejected_message(command_id: str | None, rejection: Rejection) -> dict[str, Any]:
    return {
        "type": "rejected",
        "id": command_id,
        "code": rejection.code,
        "message": rejection.message,
    }


def error_message(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
