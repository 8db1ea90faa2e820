"""Demo data of the child's journey: two years of children (a sibling group, fostering for adoption,
concurrent planning, a foster-carer adoption, a disruption, a child still waiting) and four adopter
households, at fixed offsets from the demo's "today", so every measure has a known value
(``tests/journey/test_measures.py`` computes them by hand). Same size for ``--size small`` and ``large``:
the journeys are a handful of rows and keep the demo fast.

The children are linked to match items where there are some, and each child (a sibling group together) to a
plan-for-adoption decision of its own, signed by the demo ADM on the child's plan date, so the two agree as
``journey.rules.plan_date_problem`` asks (the ADM demo's own plans are signed on random days, which would not
fit these journeys). A plan date falling on a weekend or bank holiday moves to the working day before: a few
days that change no measure (the nearest, plan to match at panel, has 50 days against 2 months).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from adoption_desktop.core.audit import bulk_audit
from adoption_desktop.core.security.permissions import SYSTEM, Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import reference_key
from adoption_desktop.journey.models import AdopterJourney, JourneyChild

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from adoption_desktop.demo import DemoContext

#: reference, initials, sibling group, sex, kind, and days before today of: entered care, plan, placement
#: order, match recommended, match agreed, placed, adoption order, early permanence / foster-carer
#: placement, disruption (None: not happened)
COHORT: tuple[tuple[str, str, str, str, str, tuple[int | None, ...]], ...] = (
    ("DEMO-C01", "A.A.", "", "female", "", (700, 560, 480, 400, 390, 370, 200, None, None)),
    ("DEMO-C02", "B.B.", "SG-1", "male", "", (690, 500, 420, 250, 240, 220, 60, None, None)),
    ("DEMO-C03", "C.B.", "SG-1", "female", "", (690, 500, 420, 250, 240, 220, 60, None, None)),
    ("DEMO-C04", "D.D.", "", "male", "ffa", (600, 540, 450, 330, 320, 320, 150, 598, None)),
    ("DEMO-C05", "E.E.", "", "female", "", (650, 520, 460, 380, 370, 350, None, None, 200)),
    ("DEMO-C06", "F.F.", "", "male", "foster", (720, 500, 430, 300, 290, 290, 100, 700, None)),
    ("DEMO-C07", "G.G.", "", "female", "", (300, 200, 120, None, None, None, None, None, None)),
    ("DEMO-C08", "H.H.", "", "male", "concurrent", (400, 300, 260, 250, 190, 190, 30, 395, None)),
)
#: household reference and days before today of: registered, stage 1 completed, stage 2 started, panel,
#: approved
HOUSEHOLDS: tuple[tuple[str, tuple[int | None, ...]], ...] = (
    ("DEMO-H01", (400, 350, 340, 230, 220)),   # stage 1 in 50 days; stage 2 120 days; 180 days in all
    ("DEMO-H02", (330, 230, 220, 110, 100)),   # stage 1 over 2 months; approved 230 days after
    ("DEMO-H03", (250, 200, 190, 40, 30)),     # stage 2 160 days (over 4 months)
    ("DEMO-H04", (90, 45, None, None, None)),  # stage 1 done, stage 2 not started
)


def _on(today: dt.date, days: int | None) -> dt.date | None:
    return None if days is None else today - dt.timedelta(days=days)


def children(today: dt.date) -> list[JourneyChild]:
    """The demo cohort as rows (not yet added to a session)."""
    out = []
    for ref, initials, group, sex, kind, d in COHORT:
        ec, plan, po, rec, agreed, placed, order, ep, disrupted = (_on(today, x) for x in d)
        out.append(JourneyChild(
            reference=ref, reference_key=reference_key(ref), initials=initials, sibling_group=group, sex=sex,
            date_of_birth=(ec - dt.timedelta(days=200)) if ec else None, ethnicity="White British",
            disability="", entered_care_on=ec, plan_decided_on=plan, placement_order_on=po,
            match_recommended_on=rec, match_agreed_on=agreed, placed_on=placed, adoption_order_on=order,
            early_permanence=kind if kind in ("ffa", "concurrent") else "",
            early_permanence_placed_on=ep if kind in ("ffa", "concurrent") else None,
            foster_carer_adoption=kind == "foster", foster_carer_placed_on=ep if kind == "foster" else None,
            disrupted_on=disrupted, notes=""))
    return out


def households(today: dt.date) -> list[AdopterJourney]:
    out = []
    for ref, d in HOUSEHOLDS:
        reg, s1, s2, panel, approved = (_on(today, x) for x in d)
        out.append(AdopterJourney(reference=ref, reference_key=reference_key(ref), registered_on=reg,
                                  stage1_completed_on=s1, stage2_started_on=s2, panel_on=panel,
                                  approved_on=approved))
    return out


#: the demo children's social worker (synthetic), to whom their plan decisions are written
SOCIAL_WORKER = "Robin Hazelford"


def _plan_decision(session: Session, adm: Principal, kids: list[JourneyChild]) -> int | None:
    """The plan-for-adoption decision of ``kids`` (one child, or a sibling group), signed without panel by
    ``adm`` on their plan date (the working day before, when it is not one), its letter filed and sent; the
    children's plan date set to the decision's. None when they have no plan date."""
    from adoption_desktop.adm import rules as adm_rules
    from adoption_desktop.adm.demo import N_DUE
    from adoption_desktop.adm.models import AdmDecision, AdmLetter, AdmNotification
    from adoption_desktop.adm.service import _after_signing, _sign_fields
    from adoption_desktop.core.settings_service import calendar

    planned = kids[0].plan_decided_on
    if planned is None:
        return None
    cal = calendar(session)
    decided = planned if cal.is_working_day(planned) else cal.add_working_days(planned, -1)
    received = cal.add_working_days(decided, -3)
    names = " and ".join(k.initials for k in kids)
    text = f"The {'children' if len(kids) > 1 else 'child'} {names} should be placed for adoption."
    d = AdmDecision(
        decision_type="plan_for_adoption", source="direct", state=adm_rules.STATE_PENDING,
        subject_reference=kids[0].reference, subject_initials=", ".join(k.initials for k in kids)[:20],
        recommendation="proposed", recommendation_text=text,
        recommendation_reasons="The child's permanence report shows that no family member can offer a safe "
                               "permanent home.", received_on=received, due_on=cal.add_working_days(received, N_DUE),
        version=1, social_worker=SOCIAL_WORKER, outcome=adm_rules.OUTCOME_AGREE, decision_text=text,
        decision_reasons="The child's permanence report shows that no family member can offer a safe permanent home.")
    session.add(d)
    session.flush()
    d.root_id = d.id
    _sign_fields(d, adm, decided, dt.datetime.combine(decided, dt.time(11, 0)))
    session.flush()
    letter_id, _qd = _after_signing(session, d)
    written = cal.add_working_days(decided, 2)  # a plan has no applicants to tell by telephone: the letter only
    session.add(AdmNotification(decision_id=d.id, kind="written", on_date=written, note="Letter posted."))
    letter = session.get(AdmLetter, letter_id)
    if letter is not None:
        letter.sent_on = written
    for k in kids:
        k.plan_decided_on = decided
    return d.id


def populate(db: Database, ctx: DemoContext) -> None:
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    today = ctx.today
    adm = ctx.users.get(Role.AGENCY_DECISION_MAKER)  # none: the journey alone (tests), no decisions to link
    with db.session(SYSTEM) as session, bulk_audit(session, "demo"):
        matches = list(session.scalars(select(PanelItem.id).where(PanelItem.case_type == "match")
                                       .order_by(PanelItem.id).limit(len(COHORT))))
        rows = children(today)
        slots: dict[str, list[JourneyChild]] = {}
        for child in rows:
            slots.setdefault(child.sibling_group or child.reference, []).append(child)
        for slot, kids in enumerate(slots.values()):
            plan = _plan_decision(session, adm, kids) if adm is not None else None
            for child in kids:
                child.plan_decision_id = plan
                if child.match_recommended_on is not None and slot < len(matches):
                    child.match_item_id = matches[slot]
        session.add_all(rows)
        approvals: list[tuple[int, dt.date]] = [(int(i), day) for i, day in session.execute(select(PanelItem.id, PanelSitting.sitting_date)
                                         .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
                                         .where(PanelItem.case_type == "approval")
                                         .order_by(PanelSitting.sitting_date.desc(), PanelItem.id))]
        homes = households(today)
        for home in homes:
            # an approval item is one household's, heard at the sitting that is its panel date (as the editor
            # requires): the latest free item sat between stage 2 starting and the approval; none, not linked
            item = next(((i, day) for i, day in approvals if home.stage2_started_on is not None
                         and home.approved_on is not None and home.stage2_started_on <= day <= home.approved_on),
                        None)
            if item is not None:
                home.approval_item_id, home.panel_on = item
                approvals.remove(item)
        session.add_all(homes)
