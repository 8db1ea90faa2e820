"""Synthetic letterbox data (every name and place invented; postcodes in the fictional ZZ99 area).

small: ~60 arrangements and ~2,000 items; large: 1,500 arrangements and ~100,000 items over 25 years.
Written with Core bulk inserts in a few transactions, one ``bulk_create`` audit summary per table, and the
full-text index loaded in bulk, so the large set takes seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, func, insert, select

from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import reference_key
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import demo_contact, findings_digest, rules
from adoption_desktop.letterbox.models import Arrangement, Item, ItemEvent, Participant, ProtectedTerm
from adoption_desktop.letterbox.service import (
    ARRANGEMENTS_INDEX,
    ITEMS_INDEX,
    ArrangementInput,
    arrangement_document,
    item_document,
)

if TYPE_CHECKING:
    from adoption_desktop.demo import DemoContext

RELATIONSHIPS = ("birth mother", "birth father", "birth grandmother", "birth grandfather", "birth aunt",
                 "older sibling", "birth uncle")
SCHOOL_WORDS = ("Primary School", "Infant School", "Academy", "Nursery", "Swimming Club", "Juniors FC")
SAMPLE_LETTERS = (
    "Dear {to}, {child} has had a lovely year. She is in Year 4 now and loves swimming and drawing. "
    "At Christmas we went to see the lights. Love from all of us.",
    "Dear {to}, {child} started at {school} in September and has made lots of friends. We moved to "
    "{street} in {town}, {postcode}, over the summer. Best wishes, the {surname} family.",
    "Dear {to}, thank you for your card. {child} put it on the wall. He is taller than Dad now and plays "
    "football every Saturday. You can reach us on 07700 900{n:03d}. Love, the {surname}s.",
)


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


def populate(db: Database, ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.today
    n_arr = 1500 if ctx.large else 60
    target_items = 100_000 if ctx.large else 2_000
    years = 25 if ctx.large else 8
    coordinators = [ctx.users[Role.LETTERBOX_COORDINATOR].username] if Role.LETTERBOX_COORDINATOR in ctx.users \
        else ["letterbox"]
    coordinators += [u.username for u in ctx.extra_users if Role.LETTERBOX_COORDINATOR in u.roles][:3]

    arrangements: list[dict[str, Any]] = []
    participants: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    with db.session(ctx.users.get(Role.LETTERBOX_COORDINATOR) or ctx.users[Role.ADMINISTRATOR]) as session:
        conn = session.connection()
        base_arr = int(session.scalar(select(func.coalesce(func.max(Arrangement.id), 0))) or 0)
        base_item = int(session.scalar(select(func.coalesce(func.max(Item.id), 0))) or 0)
        base_part = int(session.scalar(select(func.coalesce(func.max(Participant.id), 0))) or 0)
        docs_arr: list[tuple[int, str]] = []
        info: dict[int, dict[str, Any]] = {}
        for n in range(n_arr):
            aid = base_arr + n + 1
            birth_surname, adoptive_surname = ctx.surname(), ctx.surname()
            while adoptive_surname == birth_surname:
                adoptive_surname = ctx.surname()
            birth_first = ctx.first_name()
            adoptive_first = birth_first if rng.random() < 0.6 else ctx.first_name()
            start = today - dt.timedelta(days=rng.randint(180, years * 365))
            dob = start - dt.timedelta(days=rng.randint(365, 8 * 365))
            freq = 2 if rng.random() < 0.7 else 1
            m1 = rng.randint(1, 12)
            months = (m1,) if freq == 1 else tuple(sorted({m1, (m1 + 5) % 12 + 1}))
            first_writer = rules.ADOPTIVE if rng.random() < 0.85 else rules.BIRTH
            ended = rules.eighteenth_birthday(dob) <= today
            status = "ended" if ended else ("suspended" if rng.random() < 0.03 else "active")
            adopters = f"{ctx.first_name()} and {ctx.first_name()} {adoptive_surname}"
            coordinator = coordinators[n % len(coordinators)]
            reference = f"LB-{aid:05d}"
            notes = rng.choice(("", "", "", "Prefers email reminders.", "Interpreter needed for birth father.",
                                "Birth mother moved; new address confirmed.", "Review brought forward."))
            # the key the ORM keeps (``models._keep_reference_key``), which a bulk insert goes around
            row: dict[str, Any] = dict(id=aid, reference=reference, reference_key=reference_key(reference),
                       child_birth_name=f"{birth_first} {birth_surname}",
                       child_adoptive_name=f"{adoptive_first} {adoptive_surname}", child_dob=dob,
                       adopters_name=adopters, adopters_address=ctx.address(),
                       may_send="letters, cards, photos, drawings", frequency=freq,
                       exchange_months=",".join(map(str, months)), first_writer=first_writer,
                       replies_expected=rng.random() < 0.8, email_allowed=rng.random() < 0.2, start_date=start,
                       review_date=rules.add_months(today, rng.randint(-3, 12)), status=status,
                       coordinator=coordinator, notes=notes, last_exchange=None)
            arrangements.append(row)
            rels = []
            for k in range(rng.choice((1, 1, 1, 2, 2, 3))):
                pid = base_part + len(participants) + 1
                rel = RELATIONSHIPS[k if k < 2 and rng.random() < 0.7 else rng.randrange(len(RELATIONSHIPS))]
                name = f"{ctx.first_name()} {birth_surname}"
                participants.append(dict(id=pid, arrangement_id=aid, name=name, relationship=rel,
                                         address="" if rng.random() < 0.12 else ctx.address(), active=True))
                rels.append((pid, name))
            school = f"{rng.choice(('Ash', 'Bram', 'Hazel', 'Kestrel', 'Wren', 'Rowan'))}{rng.choice(('field', 'brook', 'dale'))} " \
                f"{rng.choice(SCHOOL_WORDS)}"
            secrets = [(adoptive_surname, "adoptive surname"), (school, "school"), (ctx.town(), "home town")]
            if adoptive_first != birth_first:
                secrets.append((adoptive_first, "child's new name"))
            for term, cat in secrets:
                terms.append(dict(arrangement_id=aid, side=rules.ADOPTIVE, category=cat, term=term))
            docs_arr.append((aid, arrangement_document(ArrangementInput(
                reference=reference, child_birth_name=row["child_birth_name"],
                child_adoptive_name=row["child_adoptive_name"], adopters_name=adopters, coordinator=coordinator,
                notes=notes), (r[1] for r in rels))))
            info[aid] = dict(row=row, rels=rels, school=school, end=min(today, rules.eighteenth_birthday(dob)),
                             active=rng.random() > (0.10 if status == "active" else 1.0))
        # exchanges from the agreement's terms, most received, a few missed
        for aid, d in info.items():
            row = d["row"]
            if not d["active"] and row["status"] == "active":
                continue  # an inactive arrangement: nobody has written for years
            months = rules.parse_months(row["exchange_months"])
            for year in range(row["start_date"].year, d["end"].year + 1):
                for e in rules.expected_exchanges(months, year, first_writer=row["first_writer"],
                                                  replies_expected=row["replies_expected"],
                                                  start=row["start_date"], end=d["end"]):
                    if rng.random() < 0.12:
                        continue
                    received = e.due + dt.timedelta(days=rng.randint(-10, 40))
                    if received > today:
                        continue
                    pid, pname = rng.choice(d["rels"])
                    writer = row["adopters_name"] if e.side == rules.ADOPTIVE else pname
                    # a birth relative's item records who wrote it (its letters go to them alone); the
                    # adopters write as one family, their item for the relative ``_for``
                    items.append(dict(arrangement_id=aid, participant_id=None if e.side == rules.ADOPTIVE else pid,
                                      _for=pid, direction=e.direction, writer=writer, received_on=received))
        # extra photos, cards and drawings sent with letters until the target is met
        base = list(items)
        while base and len(items) < target_items:
            extra = dict(rng.choice(base))
            items.append(extra)
        items = items[:target_items] if len(items) > target_items else items
        items.sort(key=lambda r: (r["received_on"], r["arrangement_id"]))
        part_address = {p["id"]: p["address"] for p in participants}
        last: dict[int, dt.date] = {}
        docs_items: list[tuple[int, str]] = []
        for k, it in enumerate(items):
            iid = base_item + k + 1
            it["id"] = iid
            it["item_type"] = "letter" if rng.random() < 0.55 else rng.choice(rules.ITEM_TYPES)
            age = (today - it["received_on"]).days
            roll = rng.random()
            for_whom = it.pop("_for")  # not a column
            held = it["direction"] == rules.TO_BIRTH and not part_address.get(for_whom, "x")
            if age < 10 and roll < 0.6:
                status, outcome, method, reason = ("received" if roll < 0.3 else "screened"), None, "", ""
            elif held:
                status, outcome, method, reason = "held", it["received_on"] + dt.timedelta(days=2), "", ""
            elif roll < 0.04:
                status, outcome, method, reason = ("returned", it["received_on"] + dt.timedelta(days=3), "",
                                                   rng.choice(("Includes a postcode.", "Names the school.",
                                                               "Photo shows a school badge.")))
            elif roll < 0.05:
                status, outcome, method, reason = ("withheld", it["received_on"] + dt.timedelta(days=4), "",
                                                   "Distressing content; social worker informed.")
            else:
                status, outcome, method, reason = ("forwarded", min(today, it["received_on"] + dt.timedelta(
                    days=rng.randint(1, 12))), rng.choice(("post", "post", "email", "collected")), "")
            # the digest of its findings written with the item, as the program writes it, so the bulk seal
            # covers it and a new demo needs no back-fill (``letterbox.findings_backfill``, meant for items
            # saved before the digest was kept): the demo makes no findings, so the digest of none
            it.update(status=status, outcome_on=outcome, method=method, reason=reason,
                      social_worker_informed=status == "withheld", screened_by="" if status == "received" else
                      coordinators[0], checked_by="", text="", notes="", previous_item_id=None, screened_at=None,
                      findings_digest=findings_digest.NO_FINDINGS)
            aid_of: int = it["arrangement_id"]
            a = info[aid_of]
            row = a["row"]
            if status in ("received", "screened") and k % 3 == 0:
                it["text"] = SAMPLE_LETTERS[k % len(SAMPLE_LETTERS)].format(
                    to="everyone", child=row["child_adoptive_name"].split()[0], school=a["school"],
                    street=f"{rng.randint(2, 90)} {rng.choice(('Heron', 'Lark', 'Moss'))} Road", town=ctx.town(),
                    postcode=ctx.postcode(), surname=row["adopters_name"].split()[-1], n=k % 1000)
            got: dt.date = it["received_on"]
            prev = last.get(aid_of)
            last[aid_of] = got if prev is None or got > prev else prev
            docs_items.append((iid, item_document(row["reference"], row["child_birth_name"],
                                                  row["child_adoptive_name"], row["adopters_name"], it["writer"],
                                                  "", it["item_type"])))
            events.append(dict(item_id=iid, at=dt.datetime.combine(it["received_on"], dt.time(9, 30)),
                               actor=coordinators[0], action="received", detail=f"{it['item_type']} from {it['writer']}"))
            if outcome is not None:
                events.append(dict(item_id=iid, at=dt.datetime.combine(outcome, dt.time(14, 0)),
                                   actor=coordinators[0], action=status, detail=reason or method))
        for row in arrangements:
            row["last_exchange"] = last.get(row["id"])
        demo_contact.assign(arrangements, items, today)  # channels and kinds of contact (own generator)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for rows in (arrangements, participants, items):
            for r in rows:
                r.setdefault("created_at", now)
                r.setdefault("updated_at", now)
        ctx.progress(f"Letterbox: {plural(len(arrangements), 'arrangement')} and {plural(len(items), 'item')} made")
        for model, rows in ((Arrangement, arrangements), (Participant, participants), (ProtectedTerm, terms),
                            (Item, items), (ItemEvent, events)):
            for chunk in range(0, len(rows), 20_000):
                conn.execute(insert(_t(model)), rows[chunk:chunk + 20_000])
            audit.seal_unsealed(conn, session.info["actor"], "bulk_create", _t(model).name, "demo")
        search.index_documents(conn, ARRANGEMENTS_INDEX, docs_arr)
        search.index_documents(conn, ITEMS_INDEX, docs_items)
        search.optimize(conn, ITEMS_INDEX)

