"""What the panel hands to the Agency Decision Maker when an item's minutes are approved, and what it tells
the ADM later about a correction of those minutes under way.

Plain data, so the panel feature talks to the ADM feature through the ADM service
(``adoption_desktop.adm.service.open_decision_from_panel(session, handoff)``), never through its tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PanelHandoff:
    panel_item_id: int
    sitting_id: int
    sitting_date: dt.date
    case_type: str  # the panel's case type code, e.g. "approval", "match", "relinquished", "review",
    #                 "termination", "early_permanence"
    subject_reference: str  # agency case number(s); what may appear on paper
    subject_initials: str
    recommendation: str  # outcome code, e.g. "suitable", "not_suitable", "match_recommended"
    recommendation_text: str  # the recommendation as worded in the minutes
    reasons: str
    advice: str
    minutes_extract: str  # the item's approved minutes as plain text, for the ADM to read in-app
    minutes_approved_on: dt.date  # the date the final (approved) minutes were received
    member_user_ids: tuple[int, ...] = field(default_factory=tuple)  # members present who are also users
    member_names: tuple[str, ...] = field(default_factory=tuple)  # full names of members present
    #: names of the members present whose central-list entry is linked to no user account (the ADM is
    #: warned when their own name matches one); None = not known (every name is treated as unlinked)
    unlinked_member_names: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ItemMember:
    """One central-list entry present for a panel item (in the room for it, or left during it) or who declared
    an interest in it (whether or not they withdrew), with the user account their entry is linked to *now*:
    the ADM conflict rule is decided by the current link as well as the lists frozen at the hand-off (a link
    made after the hand-off counts, a link removed since still counts). ``adviser``: see below."""

    member_id: int
    full_name: str
    user_id: int | None  # the user account the central-list entry is linked to now; None: not linked
    declared_interest: bool = False  # declared an interest in the item
    withdrew: bool = False  # ... and withdrew from it
    #: the entry's role is an adviser's (or the minute-taker's) *now*; present for the item and no declaration:
    #: not a member by today's role, but the role may have changed since the sitting (nothing records the role
    #: a member sat in), so the ADM counts them when the hand-off's lists name them among the members
    adviser: bool = False


@dataclass(frozen=True)
class ItemMembers:
    """The members of a panel item the ADM conflict rule looks at, read from the panel's tables when the
    ADM records or signs (``panel.service.item_members``)."""

    panel_item_id: int
    sitting_date: dt.date
    members: tuple[ItemMember, ...] = ()


@dataclass(frozen=True)
class SignedDecision:
    """The ADM decision on a panel item is signed (final): a correction of the item's minutes cannot change
    who decided it (``adm.service.signed_decision_on_panel_item``)."""

    decision_id: int
    signed_by: str  # the ADM who signed it
    signed_on: dt.date  # the day the decision was made (as signed)

    def note(self) -> str:
        """What a correction of the item's attendance or declarations says, and keeps with its reason."""
        return (f"The ADM decision on this case was signed by {self.signed_by} on {self.signed_on:%d/%m/%Y}: a "
                "signed decision is final, so this correction cannot change who decided. When the correction is "
                "approved the decision is flagged for the ADM to review.")


@dataclass(frozen=True)
class MinutesCorrectionOpen:
    """A correction of an item's approved minutes is drafted and not yet approved: the decision resting on
    them may be signed on words that are about to change (the ADM is warned, and confirms)."""

    panel_item_id: int
    version: int  # the correction draft's version number
    opened_by: str  # who made the correction ("Make a correction…")
    opened_at: dt.datetime | None  # when (naive UTC, from the audit log)
    reason: str  # the reason given for the correction

    def warning(self, when: str) -> str:
        """The warning, ``when`` being ``opened_at`` as the screens write it."""
        return (f"The panel minutes this decision rests on are being corrected: {self.opened_by} opened a "
                f"correction (version {self.version}) at {when}, reason: \"{self.reason}\". It is not approved "
                "yet, so the minutes may still change. Consider waiting for the corrected minutes before "
                "signing.")


@dataclass(frozen=True)
class MinutesCorrected:
    """The latest approved version of an item's minutes is a correction of minutes already handed to the ADM:
    what changed, and whether it reached the ADM decision (``handed_off_on``: the pending decision took the
    corrected recommendation that day; None: the decision was already signed and stays as it was)."""

    panel_item_id: int
    version: int  # the approved correction's version number
    approved_on: dt.date
    approved_by: str  # the chair who approved the correction
    reason: str  # the reason given for the correction
    previous_outcome: str  # the recommendation's code in the version it corrects, e.g. "remains_suitable"
    outcome: str  # the corrected recommendation's code
    previous_label: str  # the recommendation as worded before, e.g. "Remains suitable to adopt"
    label: str  # the corrected recommendation as worded
    handed_off_on: dt.date | None = None
    adm_decision_id: int | None = None

    @property
    def recommendation_changed(self) -> bool:
        return self.previous_outcome != self.outcome

    def what_changed(self) -> str:
        if self.recommendation_changed:
            return f"the recommendation changed from \"{self.previous_label}\" to \"{self.label}\""
        return (f"the recommendation is unchanged (\"{self.label}\"); the reasons or other parts of the minutes "
                "changed")

    def note(self) -> str:
        """The note shown on the decision the correction reached."""
        return (f"The panel's minutes were corrected on {self.approved_on:%d/%m/%Y} (version {self.version}): "
                f"{self.what_changed()}. Reason for the correction: \"{self.reason}\".")

    def signed_flag(self) -> str:
        """The flag on a decision signed before the correction was approved (the decision is not changed)."""
        return (f"Minutes corrected after this decision was signed: the recommendation is now \"{self.label}\" "
                f"(was \"{self.previous_label}\"; corrected on {self.approved_on:%d/%m/%Y}, version {self.version}, "
                f"reason: \"{self.reason}\"). The signed decision and its letter are unchanged. Review whether a "
                "new decision is needed (Correct…).")

    def warning(self, _when: str = "") -> str:
        """What the sign dialog says before a decision whose recommendation a correction changed is signed."""
        return (self.note() + " Your draft decision was kept as you left it: check that the outcome, the "
                "decision and the reasons still fit the corrected recommendation before signing.")
