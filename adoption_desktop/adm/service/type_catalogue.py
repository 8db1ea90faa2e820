"""Decision types: the built-in ones and those an administrator adds for decisions made without
panel.
"""

from __future__ import annotations

from sqlalchemy import select

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecisionType
from adoption_desktop.adm.service.common import _extra_types
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import clean_text

# --- decision types -----------------------------------------------------------------------------

def decision_types(db: Database, actor: Principal) -> dict[str, str]:
    """Every type code and label (built-in and administrator-defined)."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        return {**rules.BUILTIN_TYPES, **_extra_types(session)}


def direct_types(db: Database, actor: Principal) -> dict[str, str]:
    """Types the ADM may open without panel."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        out = {c: rules.BUILTIN_TYPES[c] for c in rules.DIRECT_TYPES}
        out.update({t.code: t.label for t in session.scalars(
            select(AdmDecisionType).where(AdmDecisionType.active.is_(True)))})
        return out


def add_decision_type(db: Database, actor: Principal, code: str, label: str) -> None:
    """Administrator: another kind of decision the ADM makes without panel (local policy). A code in use is
    refused (two administrators adding one code at once: the second is told); a retired one comes back."""
    require(actor, Permission.SETTINGS_MANAGE)
    label = clean_text(label, "Label", max_length=120)
    code = clean_text(code, "Code").lower().replace(" ", "_")
    if not code.replace("_", "").isalnum() or len(code) > 40:
        raise ValidationError("Code: use letters, digits and underscores only (up to 40).", "code")
    if code in rules.BUILTIN_TYPES:
        raise ValidationError(f"Code: {code!r} is a built-in type; choose another code.", "code")
    if not label.strip():
        raise ValidationError("Label: say what the decision is about.", "label")
    with db.session(actor) as session:
        row = session.get(AdmDecisionType, code)
        if row is None:
            session.add(AdmDecisionType(code=code, label=label.strip(), active=True))
        elif row.active:  # another administrator's type (perhaps a moment ago): not relabelled unseen
            raise ValidationError(f"Code: {code!r} is already a decision type (\"{row.label}\"); choose another "
                                  "code.", "code")
        else:  # a retired type brought back, under the label given now
            row.label, row.active = label.strip(), True
