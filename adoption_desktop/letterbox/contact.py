"""How contact happens: the channel an item came in by (post, secure e-mail, the digital letterbox) and the
kind of contact an arrangement agrees (letterbox only, or direct contact — face to face or by video — with
or without the letterbox). The rules are pure; ``set_item_channel`` is the one use case (correcting the
channel of an item already logged)."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.core.concurrency import check_version
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database

#: how an item came in, as a person reads it
CHANNELS: dict[str, str] = {
    "post": "Post",
    "email": "Secure e-mail",
    "digital": "Digital letterbox (online)",
    "hand": "Handed in",
}
#: the channels that count as using the e-mail facility
EMAIL_CHANNELS: tuple[str, ...] = ("email", "digital")

CONTACT_KINDS: dict[str, str] = {
    "letterbox": "Letterbox only (indirect contact)",
    "direct_and_letterbox": "Direct contact and letterbox",
    "direct": "Direct contact only",
}
DIRECT_FORMS: dict[str, str] = {
    "": "Not recorded",
    "face_to_face": "Face to face",
    "video": "Video call",
    "both": "Face to face and video",
}


def is_direct(kind: str) -> bool:
    return kind in ("direct", "direct_and_letterbox")


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValidationError(f"Received by: choose one of {', '.join(CHANNELS.values())}.", "channel")
    return channel


def contact_problems(kind: str, form: str, started: dt.date | None, ended: dt.date | None,
                     arrangement_start: dt.date | None = None) -> list[tuple[str, str]]:
    """Every problem with an arrangement's kind of contact, as ``(field, message)``; [] when it is
    consistent. Direct contact needs its form and the date it began; the letterbox-only kind has none."""
    problems: list[tuple[str, str]] = []
    if kind not in CONTACT_KINDS:
        problems.append(("contact_kind", f"Kind of contact: choose one of {', '.join(CONTACT_KINDS.values())}."))
        return problems
    if form not in DIRECT_FORMS:
        problems.append(("direct_form", "Direct contact: choose face to face, video call, or both."))
    if not is_direct(kind):
        if form or started or ended:
            problems.append(("contact_kind", "Kind of contact: the direct contact's form or dates are filled in "
                                             "but the kind is letterbox only; choose direct contact or clear "
                                             "them."))
        return problems
    if not form:
        problems.append(("direct_form", "Direct contact: say how it happens (face to face, video call, or "
                                        "both)."))
    if started is None:
        problems.append(("direct_started_on", "Direct contact began: enter the date of the first direct "
                                              "contact agreed (DD/MM/YYYY)."))
    if started is not None and ended is not None and ended < started:
        problems.append(("direct_ended_on", f"Direct contact ended: {ended:%d/%m/%Y} is before it began "
                                            f"({started:%d/%m/%Y}). Check both dates."))
    if started is not None and arrangement_start is not None and started < arrangement_start:
        problems.append(("direct_started_on", f"Direct contact began: {started:%d/%m/%Y} is before the "
                                              f"arrangement started ({arrangement_start:%d/%m/%Y})."))
    return problems


def set_item_channel(db: Database, actor: Principal, item_id: int, channel: str, *,
                     expected_version: int | None) -> int:
    """Correct how an item came in; returns the item's new row version (a stale save raises StaleRecord)."""
    require(actor, Permission.LETTERBOX_EDIT)
    check_channel(channel)
    from adoption_desktop.letterbox.models import Item, ItemEvent

    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        check_version(session, item, expected_version, "letterbox item")
        from adoption_desktop.letterbox.service.item_log import _require_as_saved

        _require_as_saved(session, item, "How it came in was not corrected.")
        if item.channel != channel:
            before = CHANNELS.get(item.channel, item.channel)
            item.channel = channel
            session.add(ItemEvent(item_id=item_id, actor=actor.username, action="channel",
                                  detail=f"received by {CHANNELS[channel].lower()} (was {before.lower()})"))
            session.flush()
        return int(item.row_version)
