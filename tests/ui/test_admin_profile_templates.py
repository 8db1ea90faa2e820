"""The administration tabs for the agency profile, job titles and templates (offscreen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adoption_desktop import template_admin as ta
from adoption_desktop.core.agency_profile import agency_profile
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.admin_page import AdminPage
from adoption_desktop.ui.admin_templates import svg_to_png
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
       b'<rect width="200" height="100" fill="#2f5d7c"/></svg>')


def _page(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show()
    return page


def test_profile_tab_saves_and_takes_an_svg_logo(db: Database, admin: Principal, qtbot: Any, tmp_path: Path,
                                                 monkeypatch: Any) -> None:
    page = _page(db, admin, qtbot)
    tab = page.profile
    tab.edits["telephone"].setText("01632 960 456")
    tab.edits["email"].setText("team@example.org")
    assert tab.save()
    errors: list[str] = []
    monkeypatch.setattr("adoption_desktop.ui.admin_templates.show_error", lambda _w, _t, e: errors.append(str(e)))
    tab.edits["email"].setText("nonsense")
    assert not tab.save() and "E-mail" in errors[0]
    svg = tmp_path / "logo.svg"
    svg.write_bytes(SVG)
    tab.choose_logo(svg)
    with db.session(write=False) as s:
        p = agency_profile(s)
    assert p.telephone == "01632 960 456" and p.email == "team@example.org"
    assert p.logo_png is not None and p.logo_png.startswith(b"\x89PNG")
    assert svg_to_png(SVG, 50)[:4] == b"\x89PNG"


def test_job_title_and_template_editing(db: Database, admin: Principal, qtbot: Any, monkeypatch: Any) -> None:
    page = _page(db, admin, qtbot)
    page.users.view.selectRow(0)
    page.users.edit_job_title("Service manager")
    assert page.users.model.rows()[0].job_title == "Service manager"

    tab = page.templates
    names = [t.name for t in tab.model.rows()]
    assert "minutes" in names and "letterbox_reminder" in names
    tab.view.selectRow(names.index("letterbox_reminder"))
    assert "${agency_telephone}" in tab.placeholders.toPlainText()
    errors: list[str] = []
    monkeypatch.setattr("adoption_desktop.ui.admin_templates.show_error", lambda _w, _t, e: errors.append(str(e)))
    original = tab.editor.toPlainText()
    tab.editor.setPlainText(original + "\nWith ${no_such_value}.\n")
    assert not tab.save() and "${no_such_value}" in errors[0]
    tab.editor.setPlainText(original + "\nA line of our own.\n")
    assert tab.save()
    assert tab.current is not None and tab.current.label == "letterbox_reminder v1"
    assert tab.restore(confirmed=True)
    assert tab.current is not None and tab.current.label == "letterbox_reminder v2 (shipped)"
    assert [v.version for v in ta.versions(db, admin, "letterbox_reminder")] == [2, 1]


def test_a_wide_logo_is_previewed_in_a_small_box_and_the_page_does_not_grow(
        db: Database, admin: Principal, qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QImage

    from adoption_desktop.ui.admin_templates import LOGO_PREVIEW

    page = _page(db, admin, qtbot)
    page.resize(1100, 700)
    page.setCurrentWidget(page.profile)
    wide = QImage(1120, 60, QImage.Format.Format_RGB32)  # the trial's banner logo
    wide.fill(QColor("#2f5d7c"))
    wide.save(str(tmp_path / "wide.png"))
    page.profile.choose_logo(tmp_path / "wide.png")
    shown = page.profile.logo.pixmap()
    assert shown.width() <= LOGO_PREVIEW.width() and shown.height() <= LOGO_PREVIEW.height()
    assert shown.width() / shown.height() > 10  # its shape kept: wide, not squeezed into a square
    assert page.profile.minimumSizeHint().width() < 1000  # Choose/Remove logo stay on the page


def test_templates_are_listed_by_readable_titles() -> None:
    from adoption_desktop.ui.admin_templates import template_title

    titles = [template_title(n) for n in ("counselling_records-request", "counselling_records-ready",
                                          "counselling_chaser", ta.MINUTES)]
    assert titles == ["Counselling: records request", "Counselling: records ready", "Counselling: chaser",
                      "Panel: minutes (Word document)"]


def test_a_template_whose_letters_run_to_many_pages_is_pointed_out(db: Database, admin: Principal, qtbot: Any,
                                                                   monkeypatch: Any) -> None:
    """User trial: a template that made every reminder four pages long was taken with only "version 3 is
    now in use". It is still taken (an agency may want it), with a word on how long its letters are."""
    page = _page(db, admin, qtbot)
    tab = page.templates
    names = [t.name for t in tab.model.rows()]
    tab.view.selectRow(names.index("letterbox_reminder"))
    told: list[str] = []
    monkeypatch.setattr("adoption_desktop.ui.admin_templates.QMessageBox.information",
                        lambda _w, _t, text: told.append(text))
    assert ta.long_letter_warning(db, admin, "letterbox_reminder") == ""  # the shipped one: one page
    original = tab.editor.toPlainText()
    tab.editor.setPlainText(original + "".join(f"\nA paragraph of our own, number {n}, to fill the page with words "
                                               "that go on and on.\n" for n in range(120)))
    assert tab.save()
    assert len(told) == 1 and "letterbox_reminder runs to" in told[0] and "Check it with Preview" in told[0]
    pages = int(told[0].split("runs to ")[1].split(" ")[0])
    assert pages > ta.LONG_LETTER_PAGES
    tab.editor.setPlainText(original + "\nA line of our own.\n")
    assert tab.save() and len(told) == 1  # a short one: nothing said


def test_a_logo_too_large_damaged_or_misshapen_is_refused_in_words(db: Database, admin: Principal, qtbot: Any,
                                                                     tmp_path: Path, monkeypatch: Any) -> None:
    """IT trial: a 16000 × 16000 PNG and an SVG 100,000,000 × 1 ended in "Unexpected problem" with a
    traceback, an SVG 100,000 × 1 was called "not a PNG", a damaged PNG showed Python's object text.
    Each now says why in the window, and the logo already chosen stays."""
    import io
    import sys

    from PIL import Image

    page = _page(db, admin, qtbot)
    tab = page.profile
    (tmp_path / "logo.svg").write_bytes(SVG)
    tab.choose_logo(tmp_path / "logo.svg")
    with db.session(write=False) as s:
        kept = agency_profile(s).logo_png
    assert kept is not None
    out = io.BytesIO()
    Image.new("1", (16000, 16000)).save(out, format="PNG")
    (tmp_path / "bomb.png").write_bytes(out.getvalue())
    (tmp_path / "damaged.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="1"><rect width="10" height="1"/></svg>'
    (tmp_path / "wide.svg").write_text(svg.format(100_000_000))
    (tmp_path / "wide2.svg").write_text(svg.format(100_000))
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr("adoption_desktop.ui.admin_templates.show_error",
                        lambda _w, title, e: shown.append((title, str(e))))
    uncaught: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, exc, _tb: uncaught.append(exc))
    for name, said in (("bomb.png", "Logo: the image is too large (16,000 × 16,000 pixels); "),
                       ("damaged.png", "Logo: the file is not a PNG image that can be read (it may be damaged)"),
                       ("wide.svg", "Logo: the SVG's shape (100,000,000 × 1) is too wide or tall for a letterhead"),
                       ("wide2.svg", "Logo: the SVG's shape (100,000 × 1) is too wide or tall for a letterhead")):
        shown.clear()
        tab.choose_logo(tmp_path / name)
        assert not uncaught
        assert len(shown) == 1 and shown[0][0] == "Agency logo" and shown[0][1].startswith(said), (name, shown)
        assert "0x" not in shown[0][1] and "<" not in shown[0][1]
        with db.session(write=False) as s:
            assert agency_profile(s).logo_png == kept
        assert tab.logo.pixmap() is not None and not tab.logo.pixmap().isNull()  # the kept one still shown


def test_an_svg_as_wide_as_the_shape_rule_allows_is_taken(db: Database, admin: Principal, qtbot: Any) -> None:
    """A reviewer's finding: an SVG of 14:1 to 20:1 passed the shape rule, was drawn 300 pixels high (4200 to
    6000 wide) and then refused as "too large (… pixels)", a size the administrator never chose."""
    from adoption_desktop.core.agency_profile import set_agency_logo

    wide = (b'<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="100">'
            b'<rect width="2000" height="100" fill="#123456"/></svg>')
    png = svg_to_png(wide)
    set_agency_logo(db, admin, png)  # refused before: "the image is too large (6,000 × 300 pixels)"
    with db.session(write=False) as s:
        assert agency_profile(s).logo_png == png
