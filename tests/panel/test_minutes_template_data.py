"""The minutes are written into the agency's own template (from the database) with the profile's
contact details in its header."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from adoption_desktop import template_admin as ta
from adoption_desktop.core.agency_profile import save_agency_profile
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.panel import documents
from adoption_desktop.panel import service as svc
from tests.conftest import make_user
from tests.core.test_agency_profile import PROFILE

from .conftest import TODAY, Panel
from .test_documents import _sitting_with_minutes, _text


def test_minutes_use_the_imported_template_and_profile(panel: Panel, tmp_path: Path) -> None:
    admin = make_user(panel.db, "admin", Role.ADMINISTRATOR)
    save_agency_profile(panel.db, admin, PROFILE)
    _sitting_with_minutes(panel, approve=False)
    doc = Document(io.BytesIO(ta.minutes_docx(panel.db, admin)))
    doc.paragraphs[0].insert_paragraph_before("Our own minutes heading")
    doc.sections[0].header.add_paragraph("Tel {agency_telephone} · {agency_email} · {team_name}")
    edited = tmp_path / "edited.docx"
    doc.save(str(edited))
    assert ta.import_template(panel.db, admin, "minutes", edited) == 1

    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    assert pack.template_version == "minutes v1"
    text = _text(documents.write_minutes_docx(pack, tmp_path / "m.docx"))
    assert "Our own minutes heading" in text and "Members present" in text
    assert "Tel 01632 960 123 · adoption@example.org · Panel Team" in text
    assert "{agency_" not in text and "{{minutes}}" not in text

    ta.restore_shipped(panel.db, admin, "minutes")
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    assert pack.template_docx is None and pack.template_version == "minutes v2 (shipped)"
    assert "Our own minutes heading" not in _text(documents.write_minutes_docx(pack, tmp_path / "s.docx"))
