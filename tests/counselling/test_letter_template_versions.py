"""A counselling letter uses the agency's own template and its audit record names the version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from adoption_desktop import template_admin as ta
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents
from tests.conftest import make_user

from .conftest import TODAY, pdf_text


def test_counselling_letter_records_its_template_version(db: Database, counsellor: Principal,
                                                         new_case: Callable[..., int], tmp_path: Path) -> None:
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    case_id = new_case()
    documents.write_case_letter(db, counsellor, case_id, "acknowledgement", tmp_path / "a.pdf", today=TODAY)
    users.set_job_title(db, admin, counsellor.user_id, "Principal counsellor")
    text = ta.letter_text(db, admin, "counselling_acknowledgement")
    ta.save_letter_template(db, admin, "counselling_acknowledgement",
                            text.replace("\n\n", "\n\nOur own counselling paragraph.\n\n", 1))
    out = documents.write_case_letter(db, counsellor, case_id, "acknowledgement", tmp_path / "b.pdf", today=TODAY)
    assert "Our own counselling paragraph." in pdf_text(out)
    assert "Principal counsellor" in pdf_text(out) and "Principal counsellor" not in pdf_text(tmp_path / "a.pdf")
    assert "Our own counselling paragraph." not in pdf_text(tmp_path / "a.pdf")
    with db.session(write=False) as s:
        details = [e.detail for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "letter")
                                               .order_by(AuditEntry.seq))]
    assert details[-2].endswith("template counselling_acknowledgement v0 (shipped)")
    assert details[-1].endswith("template counselling_acknowledgement v1")
