"""The minutes end with the chair's approval block: name, date, version; a signature line on a draft."""

from __future__ import annotations

from pathlib import Path

from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.panel import documents
from adoption_desktop.panel import service as svc

from .conftest import Panel
from .test_documents import _sitting_with_minutes, _text


def test_draft_minutes_end_with_a_signature_line(panel: Panel, tmp_path: Path,
                                                 handoffs: list[PanelHandoff]) -> None:
    _sitting_with_minutes(panel, approve=False)
    out = documents.write_minutes_docx(svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id), tmp_path / "d.docx")
    text = _text(out)
    block = text[text.index("Approval by the chair"):]
    assert "Rowan Ashcombe" in block and "not yet approved" in block and "version 1" in block
    assert "Signature of the chair: ____" in block and "DRAFT" in block


def test_approved_minutes_name_the_chair_date_and_version(panel: Panel, tmp_path: Path,
                                                          handoffs: list[PanelHandoff]) -> None:
    _sitting_with_minutes(panel, approve=True)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id)
    rows, approved = documents.chair_approval(pack)
    assert approved
    out = documents.write_minutes_docx(pack, tmp_path / "a.docx")
    text = _text(out)
    block = text[text.index("Approval by the chair"):]
    chair = dict(rows)["Chair"]
    assert chair and chair in block and "Approved by the chair" in block
    assert "item 1: version 1" in block and "Signature of the chair" not in block
    assert dict(rows)["Date approved"] in block and "not yet approved" not in block
