"""Plain forms as commands: every button of every page works without JavaScript.

A form's fields become a command (blank fields absent, "true"/"false" booleans, several
ticked boxes a list); the answer is the message to show beside the form.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.datastructures import FormData

from hostkit.domain.commands import ClientCommand
from hostkit.domain.rejections import Rejection
from hostkit.live.hub import Kept, StorageFailed, storage_failed
from hostkit.server.context import Context


def form_command(form: FormData) -> dict[str, Any]:
    """Form fields as a command: empty fields are absent, 'true'/'false' are booleans."""
    command: dict[str, Any] = {}
    for key, value in form.items():
        if key in FORM_ONLY or not isinstance(value, str) or value == "":
            continue
        command[key] = {"true": True, "false": False}.get(value, value)
        ticked = [v for v in form.getlist(key) if isinstance(v, str) and v]
        if len(ticked) > 1:  # several checkboxes of one name: a list (people to move...)
            command[key] = ticked
    return command


DONE = "Done."
KEPT = "Kept in the hall: it will be shared when the internet is back."


POSTED_AT = "add-heading"  # the participant page's note form


FORM_ONLY = ("csrf", "back", "section", "confirm")  # fields of the page, not of the command


# Commands a plain form sends only after an "I understand" tick (the page's own safety step).
CONFIRMED = {
    "withdraw_all": "Tick “I understand” first: nothing was withdrawn.",
    "remove_participant": "Tick “I understand” first: nothing was changed.",
    "remove_phase": "Tick “I understand” first: nothing was changed.",
    "revoke_digest": "Tick “I understand” first: nothing was changed.",
}


def blanks_as_none(fields: dict[str, Any], form: FormData) -> dict[str, Any]:
    """A blank field the command needs means None: a "no group" choice (leave a topic)."""
    try:
        msgspec.convert(fields, ClientCommand, strict=False)
    except msgspec.ValidationError:
        blanks = {k: None for k, v in form.items() if v == "" and k not in FORM_ONLY}
        return {**fields, **blanks}
    return fields


async def submit(
    ctx: Context,
    session_id: str,
    participant_id: str,
    fields: dict[str, Any],
    command_id: str | None = None,
) -> str:
    """Submit a form-built command; return the message to show the person."""
    try:
        command = msgspec.convert(fields, ClientCommand, strict=False)
    except msgspec.ValidationError as error:
        return f"That did not work: {error}"
    try:
        outcome = await ctx.hub.submit(session_id, participant_id, command, command_id)
    except StorageFailed:
        return storage_failed().message
    if isinstance(outcome, Rejection):
        return outcome.message
    return KEPT if isinstance(outcome, Kept) else DONE
