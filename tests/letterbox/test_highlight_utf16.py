"""Highlights cover the finding's own text after emoji and other characters beyond U+FFFF (review of
2 December 2026): a Qt text document counts UTF-16 code units, so Python offsets put the highlight of
"Pennington" after two emoji two characters early ("😀 - we live near 𝐏𝐞𝐧𝐧𝐢𝐧𝐠𝐭𝐨" half-covered)."""

from __future__ import annotations

from typing import Any

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.letterbox.test_item_writer_dialog import TODAY, open_item

LETTER = "Love you 😀😀 - we live near 𝐏𝐞𝐧𝐧𝐢𝐧𝐠𝐭𝐨𝐧 by Kestrel Vale Primary. 🎉 See you at Kestrel Vale Primary!"


def test_each_highlight_covers_its_finding_after_emoji(qtbot: Any, db: Database, coordinator: Principal,
                                                       arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY)
    window = open_item(qtbot, db, coordinator, arrangement, item)
    window.text.setPlainText(LETTER)
    window.screen_letter()
    findings = service.get_item(db, coordinator, item).findings
    assert {f.text for f in findings} >= {"Kestrel Vale Primary"}
    highlighted = sorted(window.highlighted())
    assert [text for _s, _e, text in highlighted] == [f.text for f in sorted(findings, key=lambda f: f.start)]
    # a double-click on a finding selects exactly its text too
    last = window.findings_model.rowCount() - 1
    window._select_text(window.findings_model.row_at(last))
    assert window.text.textCursor().selectedText() == window.findings_model.row_at(last).text
