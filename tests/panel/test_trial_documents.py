"""User trial: the Word minutes said a member "remained (the chair agreed the interest did not prevent taking
part)" though nobody records that the chair agreed; the calendar was named "Adoption panel adoption panel"."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import documents
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, Panel, attend


def test_a_declaration_without_withdrawal_is_minuted_as_recorded(panel: Panel, tmp_path: Path) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0701", "AB"))
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["pe"], "Met the applicants at a training day.",
                         withdrew=False)
    out = documents.write_minutes_docx(svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY),
                                       tmp_path / "m.docx")
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    at = paragraphs.index("Nia Larkholt: Met the applicants at a training day.")
    assert paragraphs[at + 1] == "Nia Larkholt did not withdraw, and took part in this item."
    assert "chair agreed" not in "\n".join(paragraphs)


def test_a_declaration_typed_on_several_lines_is_one_block_and_the_withdrawal_a_sentence_of_its_own(
        panel: Panel, tmp_path: Path) -> None:
    """User trial: an interest typed on several lines (a blank line, then a pasted "•<tab>" line) showed as a
    bullet with an empty line and a second bullet inside it, and "— withdrew and did not take part in this
    item." was glued onto the last pasted line as if the member's own words. The interest is one block, its
    lines kept and blank lines dropped; the withdrawal is a paragraph of its own, not a bullet."""
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0702", "AB"))
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["pe"],
                         "Knows the applicants\u2019 family \u2013 \u201cchurch friends\u201d\n\n\n"
                         "\u2022\tsaw them at Capel Bethesda, Llanfair\n")
    out = documents.write_minutes_docx(svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY),
                                       tmp_path / "m.docx")
    paragraphs = Document(str(out)).paragraphs
    at = next(k for k, p in enumerate(paragraphs) if p.text.startswith("Nia Larkholt:"))
    declared, said = paragraphs[at], paragraphs[at + 1]
    assert declared.text == ("Nia Larkholt: Knows the applicants\u2019 family \u2013 \u201cchurch friends\u201d\n"
                             "\u2022 saw them at Capel Bethesda, Llanfair")
    assert declared.style is not None and declared.style.name == "List Bullet"
    assert said.text == "Nia Larkholt withdrew and did not take part in this item."
    assert said.style is not None and said.style.name != "List Bullet"
    assert "withdrew" not in declared.text


def test_the_calendar_from_the_panel_page_is_named_after_the_agency(qtbot: QtBot, panel: Panel,
                                                                    tmp_path: Path) -> None:
    from adoption_desktop.core.config import AGENCY_NAME
    from adoption_desktop.core.settings_service import get_setting

    with panel.db.session(write=False) as session:
        agency = get_setting(session, AGENCY_NAME)
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.write_calendar(tmp_path / "panel.ics")
    body = (tmp_path / "panel.ics").read_text(encoding="utf-8")
    assert f"X-WR-CALNAME:{agency} adoption panel" in body and agency != "Adoption panel"
    assert "Adoption panel adoption panel" not in body
