"""An ADM letter is made from the agency's own template, records its version, and is signed with the
signer's job title from their user record."""

from __future__ import annotations

from sqlalchemy import select

from adoption_desktop import template_admin as ta
from adoption_desktop.adm.models import AdmLetter
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.adm.test_service import pdf_text, signed
from tests.conftest import make_user


def test_letter_records_template_version_and_signer_title(db: Database, adm_user: Principal) -> None:
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    signed(db, adm_user, ref="ADP-T1")
    users.set_job_title(db, admin, adm_user.user_id, "Head of Adoption Decisions")
    text = ta.letter_text(db, admin, "adm_approval")
    ta.save_letter_template(db, admin, "adm_approval", text.replace("\n\n", "\n\nOur own ADM wording.\n\n", 1))
    signed(db, adm_user, ref="ADP-T2")
    with db.session(write=False) as s:
        rows = s.scalars(select(AdmLetter).where(AdmLetter.kind == "adm_approval"))
        letters = {r.template_version: r for r in rows}
    assert set(letters) == {"adm_approval v0 (shipped)", "adm_approval v1"}
    new = pdf_text(letters["adm_approval v1"].pdf)
    old = pdf_text(letters["adm_approval v0 (shipped)"].pdf)
    assert "Our own ADM wording." in new and "Our own ADM wording." not in old
    assert "Head of Adoption Decisions" in new and "Head of Adoption Decisions" not in old
