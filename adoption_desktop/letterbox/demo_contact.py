"""Demo data of how contact happens and of the birth-parent support register (synthetic only).

``assign`` runs inside the letterbox demo before its bulk insert, with its own random generator so the
rest of the demo is unchanged: about half the items of arrangements that allow e-mail came by secure
e-mail or the digital letterbox, and about one arrangement in twelve has direct contact (face to face or
by video, most with the letterbox as well) in a small register (one in forty in a large one), some of
which began or ended in the last two years.
``populate`` adds a register of support referrals over the last two years (initials and case references
only)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from adoption_desktop.core.audit import bulk_audit
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.letterbox.support_models import SupportReferral

if TYPE_CHECKING:
    from adoption_desktop.demo import DemoContext

SERVICES = ("Birth Ties Independent Support (demo)", "Family Bridges Counselling (demo)",
            "Northvale Birth Parent Service (demo)")
RELATIONSHIPS = ("birth mother", "birth father", "birth mother", "birth grandmother", "birth father")


def assign(arrangements: list[dict[str, Any]], items: list[dict[str, Any]], today: dt.date) -> None:
    """Channels for ``items`` and kinds of contact for ``arrangements`` (the rows about to be inserted)."""
    rng = random.Random(16)
    by_id = {a["id"]: a for a in arrangements}
    for it in items:
        a = by_id.get(it["arrangement_id"])
        roll = rng.random()
        if a is not None and a["email_allowed"] and roll < 0.5:
            it["channel"] = "email" if roll < 0.35 else "digital"
        else:
            it["channel"] = "hand" if roll > 0.98 else "post"
    step = 12 if len(arrangements) < 200 else 40  # about 8% of a small register, 2.5% of a large one
    j = 0
    for k, a in enumerate(arrangements):
        a.update(contact_kind="letterbox", direct_form="", direct_started_on=None, direct_ended_on=None)
        if a["status"] == "ended" or k % step != 3:
            continue
        began = max(a["start_date"] + dt.timedelta(days=10), today - dt.timedelta(days=60 + 170 * (j % 12)))
        if began >= today:
            continue
        a.update(contact_kind="direct" if j % 5 == 4 else "direct_and_letterbox",
                 direct_form=("face_to_face", "video", "both")[j % 3], direct_started_on=began)
        if j % 4 == 1:  # some direct contact has ended: half way from its start to today
            a["direct_ended_on"] = began + (today - began) / 2
        j += 1


def referrals(today: dt.date, references: list[str]) -> list[SupportReferral]:
    """About two referrals a month over two years: most offered within a week or two, most taken up."""
    rng = random.Random(2005)
    out = []
    for n in range(48):
        referred = today - dt.timedelta(days=15 * n + rng.randint(0, 10) + 3)
        offered = referred + dt.timedelta(days=rng.choice((2, 4, 6, 9, 13, 20))) if n > 0 else None
        if offered is not None and offered > today:
            offered = None
        response, response_on = "", None
        if offered is not None and (today - offered).days > 7:
            response = "taken_up" if rng.random() < 0.7 else "declined"
            response_on = offered + dt.timedelta(days=rng.randint(1, 7))
        closed = response_on + dt.timedelta(days=rng.randint(20, 120)) if response_on else None
        if closed is not None and closed > today:
            closed = None
        if response == "declined" and response_on is not None:
            closed = response_on
        first, last = chr(65 + n % 26), chr(65 + (n * 7) % 26)
        out.append(SupportReferral(
            case_reference=references[n % len(references)] if references else f"DEMO-BP{n:03d}",
            initials=f"{first}.{last}.", relationship=RELATIONSHIPS[n % len(RELATIONSHIPS)],
            referred_on=referred, service=SERVICES[n % len(SERVICES)], offered_on=offered, response=response,
            response_on=response_on, closed_on=closed, notes=""))
    return out


def populate(db: Database, ctx: DemoContext) -> None:
    with db.session(SYSTEM) as session, bulk_audit(session, "demo"):
        refs = list(session.scalars(select(Arrangement.reference).order_by(Arrangement.id).limit(48)))
        session.add_all(referrals(ctx.today, refs))
