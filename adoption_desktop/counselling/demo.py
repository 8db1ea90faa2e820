"""Synthetic counselling cases for the demo database (every name and place invented).

large: 2,000 cases referred over 15 years; small: 150 over the last 3 years. Both include adoptions before
12 November 1975, applicants of 75 and over, open records requests and overdue chasers, and a few recent
referrals whose adoption order date is not known yet (some known to be before 12 November 1975). Rows are added
in one transaction under ``bulk_audit`` (one summary audit entry per table).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from adoption_desktop.core.audit import bulk_audit
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import (
    CounsellingCase,
    CounsellingSession,
    Disclosure,
    RecordsRequest,
    RedactionCheck,
)
from adoption_desktop.counselling.service import OUTCOMES

if TYPE_CHECKING:
    from adoption_desktop.demo import DemoContext

CHASE_DAYS = 20  # the setting's default
ARCHIVES = ("Ambleford Record Office", "Brackwater County Archives", "Cinderby Heritage Centre",
            "Dellmouth Family Court", "Eastholm County Court", "Fallowmere Children's Society",
            "Greystow Adoption Society", "Former Example Diocesan Moral Welfare Association")
COURTS = ("Ambleford County Court", "Brackwater Magistrates' Court", "Dellmouth Juvenile Court",
          "Eastholm High Court registry")
#: referrals (counted from the newest) whose adoption order date is not known yet, if still open
NOT_KNOWN_FROM_END = frozenset({2, 5, 9, 14, 20, 27, 35})
AGENCIES = ("Example Diocesan Moral Welfare Association", "Fallowmere Children's Society",
            "Greystow Adoption Society", "Ambleford County Council")


def _day(ctx: DemoContext, start: dt.date, end: dt.date) -> dt.date:
    span = max((end - start).days, 0)
    return start + dt.timedelta(days=ctx.rng.randint(0, span))


def adult_by(born: dt.date, referred: dt.date) -> dt.date:
    """``born``, or the latest date of birth that makes the applicant 18 on ``referred`` if ``born`` is later
    (a referral is accepted from the 18th birthday: ``rules.under_age_message``)."""
    while rules.age_on(born, referred) < rules.ADULT_AGE:
        born -= dt.timedelta(days=1)
    return born


def populate(db: Database, ctx: DemoContext) -> None:
    n_cases = 2000 if ctx.large else 150
    rng = ctx.rng
    today = ctx.today
    cal = WorkingCalendar()
    counsellors = [ctx.users[Role.COUNSELLOR].user_id] + [
        u.user_id for u in ctx.extra_users if Role.COUNSELLOR in u.roles]
    # large: 15 years of history; small: the last 3 years, so its waiting list is still a real one
    first = today - dt.timedelta(days=(15 if ctx.large else 3) * 365)
    # referrals rise over the years (seed figures: 90 adults supported one year, 141 the next)
    referral_days = sorted(
        first + dt.timedelta(days=int((today - first).days * (rng.random() ** 0.8))) for _ in range(n_cases))
    per_year: dict[int, int] = {}
    with db.session(ctx.users[Role.ADMINISTRATOR]) as session, bulk_audit(session, "demo counselling"):
        next_id = (session.scalar(select(func.max(CounsellingCase.id))) or 0) + 1
        for i, referred in enumerate(referral_days):
            per_year[referred.year] = per_year.get(referred.year, 0) + 1
            age_at_referral = rng.choice((rng.randint(18, 40), rng.randint(40, 65), rng.randint(50, 70),
                                          rng.randint(65, 90)))
            born = referred - dt.timedelta(days=age_at_referral * 365 + rng.randint(0, 364))
            latest_order = min(born + dt.timedelta(days=365 * 6), referred - dt.timedelta(days=365 * 18))
            order = _day(ctx, born + dt.timedelta(days=42), max(latest_order, born + dt.timedelta(days=60)))
            order = min(order, referred - dt.timedelta(days=1))
            # "18 years" of 365 days fell a few days short of the 18th birthday: the large demo referred an
            # applicant born 25/04/2004 on 21/04/2022, which the service refuses (rules.under_age_message). Set
            # after the order's draw, so the random stream, and every later area's demo data, stay as they were.
            born = adult_by(born, referred)
            surname = ctx.surname()
            first_name = ctx.first_name()
            route = rng.choices(("gro_form", "self", "agency"), (6, 3, 1))[0]
            contact = rng.choices(("letter", "email", "phone"), (5, 4, 1))[0]
            case = CounsellingCase(
                reference=f"BRC-{referred.year}-{per_year[referred.year]:04d}", referral_date=referred,
                referral_route=route, referred_by=rng.choice(AGENCIES) if route == "agency" else "",
                birth_name=f"{first_name} {ctx.surname()}", current_name=f"{first_name} {surname}",
                date_of_birth=born, address=ctx.address(),
                phone=f"01632 {rng.randint(100000, 999999)}",  # Ofcom drama range
                email=f"{first_name.lower()}.{surname.lower()}@example.org", preferred_contact=contact,
                adoption_order_date=order, court=rng.choice(COURTS), arranging_agency=rng.choice(AGENCIES))
            age_days = (today - referred).days
            # older referrals are closed; recent ones waiting or in progress; a few very old stragglers
            if age_days > 540 or (age_days > 200 and rng.random() < 0.8):
                state = "closed"
            elif (age_days < 120 and rng.random() < 0.6) or rng.random() < 0.15:
                state = "waiting"
            else:
                state = "allocated"
            if state != "closed" and n_cases - i in NOT_KNOWN_FROM_END:
                # the applicant did not know the date of their adoption order when referred (no random draw
                # here: the rest of the demo stays as it was). One who knows they were adopted before
                # 12 November 1975 says so; the others' answer is not known.
                case.adopted_before_1975 = rules.known_before_1975(
                    None, True if order < rules.COUNSELLING_DATE else None, born)
                case.adoption_order_date = None
            case.id = next_id + i
            session.add(case)
            if state == "waiting":
                continue
            wait = rng.randint(5, 160) if rules.counselling_required(order) else rng.randint(10, 400)
            allocated = referred + dt.timedelta(days=wait)
            if state == "closed":  # allocated in the first third of its time since referral: worked and closed
                allocated = min(allocated, referred + dt.timedelta(days=age_days // 3))
            # a wait that runs past today leaves the case on the waiting list (it was pulled back onto today:
            # a pile of allocations on the demo's today — trial). The draws below are made all the same, so
            # the random stream, and every later area's demo data, stay as they were.
            still_waiting = allocated > today
            counsellor_id = rng.choice(counsellors)
            if not still_waiting:
                case.allocated_on, case.counsellor_id = allocated, counsellor_id
            requests: list[RecordsRequest] = []
            for _r in range(rng.choice((1, 1, 1, 2, 2, 3))):
                sent = allocated + dt.timedelta(days=rng.randint(1, 40))
                if state == "closed":
                    sent = min(sent, today)
                kind = rng.choice(("archive", "court", "agency"))
                holder = rng.choice(ARCHIVES if kind == "archive" else COURTS if kind == "court" else AGENCIES)
                req = RecordsRequest(
                    holder_kind=kind, holder_name=holder, holder_address=f"Records Section\n{ctx.town()}\n"
                    f"{ctx.postcode()}", their_reference=f"{holder[:3].upper()}/{rng.randint(1000, 99999)}",
                    sent_on=sent, chase_due=rules.chase_due(sent, cal, CHASE_DAYS))
                took = rng.randint(10, 140)
                if state == "closed" or sent + dt.timedelta(days=took) < today - dt.timedelta(days=30):
                    # a closed case's records came in before it closed, never after the demo's today
                    req.received_on = min(sent + dt.timedelta(days=took), today)
                    req.record_format = rng.choice(("paper", "paper", "electronic"))
                    req.pages = rng.randint(4, 180)
                    if req.received_on > req.chase_due:  # chased on the day it fell due, before it came
                        req.chase_count, req.last_chased_on = 1, req.chase_due
                        # the chase moved the next chase on (it was left on the chase's own day — trial)
                        req.chase_due = rules.chase_due(req.last_chased_on, cal, CHASE_DAYS)
                elif rng.random() < 0.5 and req.chase_due < today:
                    req.chase_count, req.last_chased_on = 1, req.chase_due
                    req.chase_due = rules.chase_due(req.chase_due, cal, CHASE_DAYS)
                req.case_id = case.id
                if sent > today:  # not sent yet (it was dated today: 21 requests sent on the demo's today)
                    continue
                requests.append(req)
                session.add(req)
            if state == "allocated" and rng.random() < 0.5:
                appointment = CounsellingSession(
                    case_id=case.id, held_on=min(allocated + dt.timedelta(days=rng.randint(7, 60)),
                                                 today + dt.timedelta(days=21)),
                    start_time=rng.choice(("10:00", "11:30", "14:00")), kind=rng.choice(("in_person", "video")),
                    location="Example Street office, room 2", counsellor_id=case.counsellor_id)
                # a meeting already past took place; one today or later is booked, its outcome not yet recorded
                appointment.outcome = "held" if appointment.held_on < today else None
                if not still_waiting:
                    session.add(appointment)
            if state != "closed":
                continue
            received = [r.received_on for r in requests if r.received_on]
            last = max([allocated, *received])
            held = min(last + dt.timedelta(days=rng.randint(7, 45)), today)
            outcome = rng.choices(list(OUTCOMES)[:5], (14, 2, 1, 1, 1))[0]  # none opened in error
            session.add(CounsellingSession(case_id=case.id, held_on=held, start_time="10:00",
                                           kind=rng.choice(("in_person", "in_person", "video", "phone")),
                                           location="Example Street office", counsellor_id=case.counsellor_id,
                                           notes="Synthetic session note.", outcome="held"))
            if outcome == "records_shared":
                session.add(RedactionCheck(case_id=case.id, item="Adoption agency file",
                                           third_party_reviewed=True,
                                           redactions_made="Birth relatives' later addresses removed.",
                                           reviewed_by_id=case.counsellor_id, reviewed_on=held))
                session.add(Disclosure(case_id=case.id, disclosed_on=held, disclosed_by_id=case.counsellor_id,
                                       recipient=case.current_name, what="Redacted adoption file and court papers",
                                       method="in person", records_shared=True))
            if rules.pre_commencement(order):
                case.acr_checked_on = held
                case.acr_note = "No entry on the Adoption Contact Register."
                case.veto_checked_on = held
                case.veto_note = "No veto recorded."
                case.intermediary_signposted_on = held
            case.closed_on = min(held + dt.timedelta(days=rng.randint(0, 30)), today)
            case.outcome = outcome
