"""User trial of the letterbox coordinator's day, 8 December 2026: an item with an outcome keeps the documents it
had when the outcome was recorded (nothing is attached to it, it is not screened again). But its *Paper and
e-mail* window still offered *Attach file…* and *Use text for screening*, and the refusals told the
coordinator to "attach to a new item" or "log a new item instead": a new item is another letter received, so
doing as told counted a second exchange, sent a second acknowledgement and asked for a second screening of a
letter already forwarded. The window now offers neither on an item with an outcome and says why; the
refusals say what to do instead (the corrected version for a returned item, a correction note otherwise)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import attachments, rules, service
from adoption_desktop.letterbox.views.attachments_panel import AttachmentsPanel
from tests.letterbox.test_item_writer_dialog import open_item

D = dt.date


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), "white").save(buf, "PNG")
    return buf.getvalue()


def _item(db: Database, who: Principal, arrangement: int, outcome: str | None, **fields: Any) -> int:
    item = service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 2),
                            writer="Sam Thornley")
    service.screen_item(db, who, item, "We went to the seaside and learnt to swim.")
    if outcome is not None:
        service.record_outcome(db, who, item, outcome, D(2026, 3, 4), **fields)
    return item


@pytest.mark.parametrize(("outcome", "fields", "instead"), [
    ("forwarded", {"method": "by hand"}, "Add correction note"),
    ("held", {}, "Add correction note"),
    ("returned", {"reason": "Please leave out the town."}, "corrected version"),
])
def test_nothing_is_attached_or_screened_after_an_outcome_and_no_new_item_is_advised(
        db: Database, coordinator: Principal, arrangement: int, outcome: str, fields: dict[str, Any],
        instead: str) -> None:
    item = _item(db, coordinator, arrangement, outcome, **fields)
    for call in (lambda: attachments.attach(db, coordinator, item, "page-2.png", _png()),
                 lambda: service.screen_item(db, coordinator, item, "We went to the seaside.")):
        with pytest.raises(Conflict) as err:
            call()
        said = str(err.value)
        assert "new item" not in said, said
        assert instead in said and "Nothing was" in said, said
    assert attachments.list_attachments(db, coordinator, item) == []
    assert service.get_item(db, coordinator, item).status == outcome


def test_the_documents_window_of_an_item_with_an_outcome_offers_no_attach_or_screening(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    still_open = _item(db, coordinator, arrangement, None)
    window = open_item(qtbot, db, coordinator, arrangement, still_open)
    panel = window.open_documents()
    assert isinstance(panel, AttachmentsPanel)
    assert panel.attach_button.isEnabled() and panel.use_button.isEnabled()
    panel.close()
    window.close()

    forwarded = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 9),
                                 writer="Sam Thornley")
    attachments.attach(db, coordinator, forwarded, "letter.png", _png())
    service.screen_item(db, coordinator, forwarded, "We went to the seaside and learnt to swim.")
    service.record_outcome(db, coordinator, forwarded, "forwarded", D(2026, 3, 10), method="by hand")
    window = open_item(qtbot, db, coordinator, arrangement, forwarded)
    panel = window.open_documents()
    assert isinstance(panel, AttachmentsPanel)
    assert not panel.attach_button.isEnabled() and not panel.use_button.isEnabled()
    assert "forwarded" in panel.message.text() and "as they were when" in panel.message.text()
    assert panel.open_button.isEnabled() and panel.redact_button.isEnabled()  # its files still open and redact
    assert [r.filename for r in attachments.list_attachments(db, coordinator, forwarded)] == ["letter.png"]
    panel.close()
