"""Synthetic ADM decisions for the demo database (runs after the panel demo).

Decides the pending decisions the panel demo handed over (or, without a panel demo, two years of its
own hand-offs), signed by the demo ADM: most in time, some late, a few after asking for more
information, one qualifying determination with representations and a final decision, plus children's
plans for adoption decided without panel. The most recent stay pending so the queue has live clocks:
at least one overdue, one due today (on a working day) and one paused for more information.
Everything is invented; postcodes are in the fictional ZZ99 area.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest, AdmLetter, AdmNotification
from adoption_desktop.adm.service import _after_signing, _file_letter, _sign_fields
from adoption_desktop.core import audit
from adoption_desktop.core.documents.address_block import too_wide
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar

if TYPE_CHECKING:
    from adoption_desktop.demo import DemoContext

N_DUE = 7
PANEL_MIX = (("approval", "suitable", 40), ("approval", "not_suitable", 2), ("match", "match_recommended", 35),
             ("review", "remains_suitable", 10), ("early_permanence", "ep_suitable", 6),
             ("relinquished", "should_be_placed", 3), ("termination", "terminate", 1))
RECS = {"suitable": "Suitable to adopt", "not_suitable": "Not suitable to adopt",
        "match_recommended": "Match recommended", "remains_suitable": "Remains suitable to adopt",
        "ep_suitable": "Suitable for early permanence", "should_be_placed": "Should be placed for adoption",
        "terminate": "Approval to be terminated"}
REASONS = ("The assessment shows a stable, reflective household with a good support network.",
           "The applicants understand the needs of children who have experienced early trauma.",
           "The match meets the child's assessed needs for stability and contact.",
           "The reports are thorough and the panel's questions were answered well.")
INFO_ASKED = ("An updated medical report for the second applicant.",
              "The adoption support plan signed by both local authorities.",
              "A fuller account of the contact arrangements with the child's siblings.")


def _at(ctx: DemoContext, day: dt.date) -> dt.datetime:
    """A plausible signing time (UTC) on the decision day."""
    return dt.datetime.combine(day, dt.time(ctx.rng.randint(8, 16), ctx.rng.randint(0, 59)))


def _own_handoffs(session: Session, ctx: DemoContext, cal: WorkingCalendar) -> list[AdmDecision]:
    """No panel demo ran: two years of plausible hand-offs (panel sittings every other Wednesday)."""
    per_sitting = 14 if ctx.large else 3
    weights = [w for *_x, w in PANEL_MIX]
    sitting = ctx.today - dt.timedelta(days=730)
    sitting += dt.timedelta(days=(2 - sitting.weekday()) % 7)
    out: list[AdmDecision] = []
    item = 900000
    while sitting < ctx.today - dt.timedelta(days=3):
        minutes = cal.add_working_days(sitting, ctx.rng.randint(3, 10))
        members = [ctx.full_name() for _ in range(6)]
        for _ in range(per_sitting):
            item += 1
            case_type, rec, _w = ctx.rng.choices(PANEL_MIX, weights=weights)[0]
            d = AdmDecision(
                decision_type=case_type, source="panel", state=rules.STATE_PENDING, panel_item_id=item,
                sitting_id=item // 100, sitting_date=sitting,
                subject_reference=f"{'CH' if case_type in ('match', 'relinquished') else 'ADP'}-"
                                  f"{sitting.year}-{item % 10000:04d}",
                subject_initials=f"{ctx.first_name()[0]}.{ctx.surname()[0]}.", recommendation=rec,
                recommendation_text=f"The panel recommends: {RECS[rec]}.",
                recommendation_reasons=ctx.rng.choice(REASONS),
                advice="Up to two children aged 0 to 6." if rec == "suitable" else "",
                minutes_extract="Members present gave their views in turn; the recommendation was unanimous.",
                member_user_ids="[]", member_names=json.dumps(members), received_on=minutes,
                due_on=cal.add_working_days(minutes, N_DUE), version=1,
                decision_text=f"The panel recommends: {RECS[rec]}.")
            out.append(d)
        sitting += dt.timedelta(days=14)
    session.add_all(out)
    session.flush()
    for d in out:
        d.root_id = d.id
    return out


def _direct_decision(ctx: DemoContext, cal: WorkingCalendar, received: dt.date, number: int) -> AdmDecision:
    initials = f"{ctx.first_name()[0]}.{ctx.surname()[0]}."
    return AdmDecision(
        decision_type="plan_for_adoption", source="direct", state=rules.STATE_PENDING,
        subject_reference=f"CH-{received.year}-{number:04d}", subject_initials=initials,
        recommendation="proposed",
        recommendation_text=f"The child {initials} should be placed for adoption.",
        recommendation_reasons="The child's permanence report shows that no family member can offer a "
                               "safe permanent home.", received_on=received,
        due_on=cal.add_working_days(received, N_DUE), version=1, social_worker=ctx.full_name(),
        decision_text=f"The child {initials} should be placed for adoption.")


def _direct(session: Session, ctx: DemoContext, cal: WorkingCalendar) -> list[AdmDecision]:
    n = 110 if ctx.large else 12
    out = []
    for i in range(n):
        received = cal.next_working_day(ctx.today - dt.timedelta(days=ctx.rng.randint(2, 728)))
        out.append(_direct_decision(ctx, cal, received, 7000 + i))
    session.add_all(out)
    session.flush()
    for d in out:
        d.root_id = d.id
    return out


def _received_for_due(cal: WorkingCalendar, today: dt.date, overdue_by: int) -> dt.date | None:
    """The latest working day whose decision (N_DUE working days) falls due ``overdue_by`` working days
    before ``today`` (0: due today), or None (today is not a working day and 0 was asked)."""
    day = today
    for _ in range(60):
        day -= dt.timedelta(days=1)
        if not cal.is_working_day(day):
            continue
        due = cal.add_working_days(day, N_DUE)
        if due == today and overdue_by == 0:
            return day
        if due < today and cal.working_days_between(due, today) >= max(overdue_by, 1) and overdue_by > 0:
            return day
    return None


def _live_clocks(session: Session, ctx: DemoContext, cal: WorkingCalendar,
                 pending: list[AdmDecision]) -> tuple[list[AdmDecision], AdmDecision | None]:
    """Keep one decision overdue, one due today and one to pause for information out of the deciding.

    A panel hand-off whose own dates (minutes received, due 7 working days later) already give that
    clock is used as it is; otherwise a child's plan for adoption (no panel) is opened with papers
    received on the day that gives it. Returns the decisions kept waiting and the one to pause."""
    keep: list[AdmDecision] = []
    recent = [d for d in pending if d.received_on >= ctx.today - dt.timedelta(days=45)]
    for overdue_by in (3, 0):
        if overdue_by == 0:
            found = next((d for d in reversed(recent) if d.due_on == ctx.today and d not in keep), None)
        else:
            found = next((d for d in reversed(recent) if d.due_on is not None and d.due_on < ctx.today
                          and cal.working_days_between(d.due_on, ctx.today) >= 2 and d not in keep), None)
        if found is None:
            received = _received_for_due(cal, ctx.today, overdue_by)
            if received is None:
                continue
            found = _direct_decision(ctx, cal, received, 8900 + overdue_by)
            session.add(found)
            session.flush()
            found.root_id = found.id
        keep.append(found)
    paused = next((d for d in reversed(recent) if d not in keep and d.received_on < ctx.today), None)
    if paused is not None:
        keep.append(paused)
    for d in keep:
        if not d.addressee:
            d.addressee, d.salutation = _couple(ctx)
    return keep, paused


def _couple(ctx: DemoContext) -> tuple[str, str]:
    """A couple's Letter to and salutation: both names on the first line, or one a line when together they are
    wider than the envelope's window (``core.documents.address_block``: the letter would not be made)."""
    names = f"{ctx.full_name()} and {ctx.full_name()}"
    lines = names if not too_wide([names]) else names.replace(" and ", "\nand ", 1)
    return f"{lines}\n{ctx.address()}", names


def _decide(session: Session, ctx: DemoContext, d: AdmDecision, adm: Principal, cal: WorkingCalendar,
            letters_from: dt.date, qd_done: list[bool]) -> None:
    assert d.due_on is not None
    if rules.signer_conflict(adm.user_id, json.loads(d.member_user_ids)):
        return
    if not d.addressee:
        d.addressee, d.salutation = _couple(ctx)
    if d.received_on > ctx.today - dt.timedelta(days=21) and ctx.rng.random() < 0.5:
        return  # still waiting: the queue shows live and overdue clocks
    roll = ctx.rng.random()
    start = d.received_on
    if roll < 0.06:  # asked for more information, logged some days later
        asked = cal.add_working_days(d.received_on, ctx.rng.randint(1, 4))
        logged = cal.add_working_days(asked, ctx.rng.randint(3, 12))
        if logged >= ctx.today:
            return
        session.add(AdmInfoRequest(decision_id=d.id, requested_on=asked, what=ctx.rng.choice(INFO_ASKED),
                                   received_on=logged, received_note="Received by email."))
        clock = rules.decision_clock(d.received_on, [rules.Pause(asked, logged)], N_DUE, cal)
        d.due_on, start = clock.due_on, logged
        assert d.due_on is not None
    late = ctx.rng.random() < 0.08
    decided = (cal.add_working_days(d.due_on, ctx.rng.randint(1, 6)) if late
               else cal.add_working_days(start, ctx.rng.randint(1, max(1, cal.working_days_between(start,
                                                                                                   d.due_on)))))
    if decided >= ctx.today:
        return
    negative = d.recommendation in rules.NEGATIVE_RECOMMENDATIONS and d.decision_type in rules.QD_TYPES
    if negative:
        _propose(d)
    elif ctx.rng.random() < 0.02 and d.decision_type == "approval":  # approved, on narrower terms than advised
        d.outcome = rules.OUTCOME_AGREE
        d.decision_text = "Approved as suitable to adopt one child aged 0 to 4 (narrower than advised)."
        d.decision_reasons = "The support network is best placed to help with one young child."
    else:
        d.outcome = rules.OUTCOME_AGREE
        d.decision_text = d.recommendation_text
        d.decision_reasons = d.recommendation_reasons
    _sign_fields(d, adm, decided, _at(ctx, decided))
    if late:  # chosen from the date, not the random stream: the rest of the demo stays as it was
        d.delay_reason = DELAY_REASONS[decided.toordinal() % len(DELAY_REASONS)]
    session.flush()
    letter_id: int | None = None
    if negative or decided >= letters_from:
        letter_id, _qd = _after_signing(session, d)
        if negative and decided < ctx.today - dt.timedelta(days=90):
            _qd_final(session, ctx, d, adm, cal, representations=not qd_done[0])
            qd_done[0] = True
    oral = cal.add_working_days(decided, 1 if ctx.rng.random() < 0.9 else 3)
    written = cal.add_working_days(decided, ctx.rng.randint(2, 5))
    if negative:  # the notice goes the day it is signed: its 40 working days run from it as counted at signing
        written = decided  # (sent later, they would run from that later day: service.letters._notice_sent)
    # a child's plan for adoption has no applicants to tell by telephone: only its letter (a trial found oral
    # notifications recorded on plans); the dates are drawn all the same, so the rest of the demo stays as it was
    _told(session, ctx, d.id, oral, written, letter_id,
          oral_owed=rules.has_applicants(d.decision_type, d.source, d.social_worker, d.addressee))


def _told(session: Session, ctx: DemoContext, decision_id: int, oral: dt.date, written: dt.date,
          letter_id: int | None, *, oral_owed: bool = True) -> None:
    """The applicants told of the decision orally (when there are applicants to tell) and in writing (the days
    before today), its letter sent."""
    if oral_owed and oral < ctx.today:
        session.add(AdmNotification(decision_id=decision_id, kind="oral", on_date=oral, note="By telephone."))
    if written < ctx.today:
        session.add(AdmNotification(decision_id=decision_id, kind="written", on_date=written,
                                    note="Letter posted."))
        letter = session.get(AdmLetter, letter_id) if letter_id else None
        if letter is not None:
            letter.sent_on = written


def _qd_final(session: Session, ctx: DemoContext, d: AdmDecision, adm: Principal, cal: WorkingCalendar, *,
              representations: bool) -> None:
    from adoption_desktop.adm.models import AdmQualifyingDetermination

    qd = session.scalars(select(AdmQualifyingDetermination).where(
        AdmQualifyingDetermination.decision_id == d.id)).one()
    start = qd.deadline
    if representations:
        qd.representations_on = start = cal.add_working_days(qd.notice_sent_on, 15)
        qd.representations = ("The applicants wrote with two further references and a plan for support from "
                              "their extended family.")
    final = AdmDecision(
        decision_type=d.decision_type, source="qd_final", state=rules.STATE_PENDING,
        panel_item_id=d.panel_item_id, sitting_id=d.sitting_id, sitting_date=d.sitting_date,
        subject_reference=d.subject_reference, subject_initials=d.subject_initials,
        recommendation=d.recommendation, recommendation_text=d.recommendation_text,
        recommendation_reasons=d.recommendation_reasons, minutes_extract=d.minutes_extract,
        member_user_ids=d.member_user_ids, member_names=d.member_names, received_on=start,
        due_on=cal.add_working_days(start, N_DUE), version=1, addressee=d.addressee,
        salutation=d.salutation, qd_id=qd.id, outcome=rules.OUTCOME_NOT_APPROVE,
        decision_text=rules.decision_sentence(d.decision_type, d.recommendation, rules.OUTCOME_NOT_APPROVE,
                                              "qd_final"),
        # what the letter says happened must match (a trial's letter said no representations were received,
        # then "The representations were considered carefully")
        decision_reasons=("The representations were considered carefully; the concerns about meeting a "
                          "child's needs now remain." if representations else
                          "No representations or application to the Independent Review Mechanism were made "
                          "within the 40 working days; having considered the proposal again, the concerns "
                          "about meeting a child's needs remain."))
    session.add(final)
    session.flush()
    final.root_id = final.id
    final_day = cal.add_working_days(start, 5)
    _sign_fields(final, adm, final_day, _at(ctx, final_day))
    session.flush()
    letter_id, _none = _after_signing(session, final)
    # the applicants told of the final decision, as the demo's other decisions are (from the date, not the
    # random stream: the rest of the demo stays as it was); else My work showed them overdue for ever
    _told(session, ctx, final.id, cal.add_working_days(final_day, 1), cal.add_working_days(final_day, 3), letter_id)


#: reasons for delay on the demo's late decisions (synthetic)
DELAY_REASONS = ("The decision maker was on leave and the deputy was at another panel.",
                 "The final minutes arrived incomplete and were corrected before the decision.",
                 "Further legal advice on the placement was needed before deciding.")


def populate(db: Database, ctx: DemoContext) -> None:
    adm = ctx.users[Role.AGENCY_DECISION_MAKER]
    with db.session(adm) as session, audit.bulk_audit(session, "demo"):
        cal = calendar(session)
        pending = list(session.scalars(select(AdmDecision).where(
            AdmDecision.source == "panel", AdmDecision.state == rules.STATE_PENDING).order_by(AdmDecision.id)))
        if not pending:
            pending = _own_handoffs(session, ctx, cal)
        pending += _direct(session, ctx, cal)
        pending.sort(key=lambda x: x.received_on)
        keep, paused = _live_clocks(session, ctx, cal, pending)
        letters_from = ctx.today - dt.timedelta(days=60 if ctx.large else 800)
        qd_done = [False]
        for i, d in enumerate(pending):
            if d not in keep:
                _decide(session, ctx, d, adm, cal, letters_from, qd_done)
            if i % 200 == 0:
                ctx.progress(f"Making ADM decisions: {i:,} of {len(pending):,}")
        if not qd_done[0]:  # make sure the demo shows one qualifying determination with representations
            old = next((d for d in pending if d.signed_at is None and d.decision_type == "approval"
                        and d.received_on < ctx.today - dt.timedelta(days=120)), None)
            if old is not None:
                old.recommendation, old.recommendation_text = "not_suitable", "The panel recommends: Not " \
                                                                              "suitable to adopt."
                session.flush()
                _decide_qd(session, ctx, old, adm, cal)
        # one waiting for information, so the queue shows a paused clock: asked a working day or two
        # after the papers arrived (never before them, never after today)
        if paused is not None:
            asked = min(cal.add_working_days(paused.received_on, 1), ctx.today)
            # a demo dated on a weekend or a bank holiday: the working day before (it had no paused decision)
            while not cal.is_working_day(asked) and asked > paused.received_on:
                asked -= dt.timedelta(days=1)
            if asked >= paused.received_on:
                info = AdmInfoRequest(decision_id=paused.id, requested_on=asked, what=INFO_ASKED[0])
                session.add(info)
                session.flush()
                paused.state, paused.due_on = rules.STATE_PAUSED, None
                _file_letter(session, paused, "adm_more_information", asked, info=info)


#: the demo ADM's reasons for a proposal, in each qualifying-determination type's terms
PROPOSAL_REASONS = {
    "approval": "The assessment did not show that the household could meet a child's needs now.",
    "review": "Since the last review the household's circumstances have changed and it could not now meet "
              "a child's needs.",
    "termination": "Since approval the household's circumstances have changed, and the agency's concerns "
                   "about meeting a child's needs were not resolved at the review.",
}


def _propose(d: AdmDecision) -> None:
    """A proposal (qualifying determination) in the type's own words: a termination is a proposal to end
    the approval, not "not to approve" (the letter's sentence is the ADM's text, so none is repeated)."""
    d.outcome = rules.OUTCOME_NOT_APPROVE
    d.decision_text = rules.decision_sentence(d.decision_type, d.recommendation, d.outcome)
    d.decision_reasons = PROPOSAL_REASONS.get(d.decision_type, PROPOSAL_REASONS["approval"])


def _decide_qd(session: Session, ctx: DemoContext, d: AdmDecision, adm: Principal, cal: WorkingCalendar) -> None:
    assert d.due_on is not None
    d.addressee = d.addressee or f"{ctx.full_name()}\n{ctx.address()}"
    d.salutation = d.salutation or d.addressee.split("\n", 1)[0]
    _propose(d)
    day = cal.add_working_days(d.received_on, 5)
    _sign_fields(d, adm, day, _at(ctx, day))
    session.flush()
    _after_signing(session, d)
    _qd_final(session, ctx, d, adm, cal, representations=True)
