"""Tables of the child's journey: one row per child (a sibling group is several rows with the same
``sibling_group``), linked to the ADM plan-for-adoption decision, the panel match item and the ADM match
decision, and one row per prospective adopter household's assessment stages (linked to the panel approval
item).

Portable SQL only (SQLCipher and PostgreSQL); audited like every other table (``Base.__audit__``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, String, Text, event, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from adoption_desktop.core.concurrency import Versioned
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.storage.base import Base, TimestampMixin
from adoption_desktop.journey import settings as _settings  # noqa: F401 - registers the thresholds with the schema


class JourneyChild(Versioned, TimestampMixin, Base):
    """One child. ``reference_key`` is unique: the same child on the plan decision and the match item is
    one row, so every measure counts children, not items."""

    __tablename__ = "journey_children"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    reference_key: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    initials: Mapped[str] = mapped_column(String(20), default="")
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    sex: Mapped[str] = mapped_column(String(20), default="")  # female | male | other | ""
    ethnicity: Mapped[str] = mapped_column(String(60), default="")
    disability: Mapped[str] = mapped_column(String(120), default="")
    sibling_group: Mapped[str] = mapped_column(String(40), default="", index=True)

    # where the child was recorded: the root of the ADM plan-for-adoption (or relinquished-child) decision, the
    # panel match item, the root of the ADM match decision (each its own link: linking the child from the match
    # decision once moved it off its plan decision)
    plan_decision_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    match_item_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    match_decision_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)

    # the journey
    entered_care_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    plan_decided_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # ADM: adoption is the plan
    placement_order_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    match_recommended_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # panel
    match_agreed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # ADM match decision
    placed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # moved in with the adopters
    adoption_order_on: Mapped[dt.date | None] = mapped_column(Date, index=True, nullable=True)
    early_permanence: Mapped[str] = mapped_column(String(20), default="")  # "" | ffa | concurrent
    early_permanence_placed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    foster_carer_adoption: Mapped[bool] = mapped_column(default=False)  # adopted by their foster carers
    foster_carer_placed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    disrupted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class AdopterJourney(Versioned, TimestampMixin, Base):
    """A prospective adopter household's assessment: stage 1 (pre-assessment, 2 months) and stage 2
    (assessment, 4 months) under the Adoption Agencies Regulations 2005 as amended in 2013."""

    __tablename__ = "journey_adopters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    reference_key: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    approval_item_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    registered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # stage 1 starts
    stage1_completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    stage2_started_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    panel_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    approved_on: Mapped[dt.date | None] = mapped_column(Date, index=True, nullable=True)  # ADM decision


@event.listens_for(Session, "before_flush")
def _linked_decisions_stay(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse (``Conflict``, nothing written) to delete an ADM decision a child's journey record links to (its plan
    or match decision): the link is a plain number with no foreign key, so the child would be left naming a
    decision that no longer exists, with nothing said. No screen or command deletes a decision (a signed one is
    final, ``adm.models``); this holds for any caller that goes around them with the ORM, as that guard does. Read
    in the deleting transaction, whose writer lock a link waits for (a link made first is seen)."""
    if not session.deleted:
        return
    from adoption_desktop.adm.models import AdmDecision  # only when something is deleted

    _refuse_linked(session, [obj.id for obj in session.deleted if isinstance(obj, AdmDecision)])


@event.listens_for(Session, "do_orm_execute")
def _linked_decisions_stay_in_bulk(state: Any) -> None:
    """The same for a ``delete()`` statement of decisions run through the session: it goes around the flush (the
    review found it took a child's decision away without a word). The rows it would delete are read first."""
    mapper = state.bind_mapper
    if not state.is_delete or mapper is None:
        return
    from adoption_desktop.adm.models import AdmDecision  # only for a delete: not imported in every statement

    if mapper.class_ is not AdmDecision:
        return
    where = getattr(state.statement, "whereclause", None)
    query = select(AdmDecision.id) if where is None else select(AdmDecision.id).where(where)
    with state.session.no_autoflush:
        ids = list(state.session.execute(query).scalars())
    _refuse_linked(state.session, ids)


def _refuse_linked(session: Session, ids: list[int]) -> None:
    """``Conflict`` when a child's journey record links to one of the decisions ``ids`` (about to be deleted)."""
    if not ids:
        return
    with session.no_autoflush:
        linked = session.execute(select(JourneyChild.reference, JourneyChild.plan_decision_id,
                                        JourneyChild.match_decision_id)
                                 .where(or_(JourneyChild.plan_decision_id.in_(ids),
                                            JourneyChild.match_decision_id.in_(ids)))
                                 .order_by(JourneyChild.reference)).all()
    if not linked:
        return
    ref, plan, match = linked[0]
    kind, decision = ("plan decision", plan) if plan in ids else ("match decision", match)
    more = f" (and {len(linked) - 1} more)" if len(linked) > 1 else ""
    raise Conflict(f"ADM decision {decision} cannot be deleted: child {ref}'s journey record{more} is linked to it "
                   f"as its {kind} (Children… on the decision). Nothing was changed.")
