"""Templates as data: edited and imported versions live in the database (team mode shares them, an
upgrade of the program folder never touches them), every version is kept, unknown placeholders are
refused, the shipped version can be restored, and each letter records the version that made it."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from adoption_desktop import template_admin as ta
from adoption_desktop.core import resources
from adoption_desktop.core.agency_profile import save_agency_profile
from adoption_desktop.core.documents.templates import load_template, template_version_label
from adoption_desktop.core.errors import PermissionDenied, StaleRecord, ValidationError
from adoption_desktop.core.models import TemplateVersion
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_postgresql
from tests.conftest import make_user
from tests.core.test_agency_profile import PROFILE
from tests.pg import PostgresServer

NAME = "letterbox_reminder"


def edited(text: str) -> str:
    return text.replace("\n\n", "\n\nOur own paragraph for ${agency_telephone}.\n\n", 1)


def _load(db: Database, name: str = NAME) -> tuple[str, str]:
    with db.session(write=False):
        tpl = load_template(name)  # no session argument: the running use case's
        rendered = tpl.render(ta.demo_values(tpl.placeholders - set(tpl.defaults)))
        return tpl.version_label, " ".join(p if isinstance(p, str) else " ".join(p) for p in rendered.paragraphs)


@pytest.fixture
def new_program_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An upgrade: a new program folder whose shipped letterbox_reminder text changed, and whose
    letterbox_chaser and minutes template are gone."""
    root = tmp_path / "program-v2"
    shutil.copytree(resources.app_root() / "resources", root / "resources")
    letters = root / "resources" / "templates" / "letters"
    (letters / f"{NAME}.txt").write_text("Subject: New shipped wording\nDear ${salutation},\n\nShipped in v2.\n",
                                         encoding="utf-8")
    (letters / "letterbox_chaser.txt").unlink()
    (root / "resources" / "templates" / "minutes.docx").unlink()
    yield root


def test_the_decision_letter_preview_reads_as_a_letter(db: Database) -> None:
    """The approval letter's preview fills the sentence a decision without panel words differently (no
    "[having read]" in the administrator's preview)."""
    _version, text = _load(db, "adm_approval")
    assert "Having read the panel's recommendation" in text and "[having read]" not in text


def test_unknown_placeholder_is_refused_naming_it(db: Database, admin: Principal) -> None:
    text = ta.letter_text(db, admin, NAME)
    with pytest.raises(ValidationError, match=r"\$\{favourite_colour\}"):
        ta.save_letter_template(db, admin, NAME, text + "\nYour ${favourite_colour} letter.\n")
    with pytest.raises(ValidationError, match="broken placeholder"):
        ta.save_letter_template(db, admin, NAME, text + "\nCosts $5 and ${oops\n")
    with db.session(write=False) as s:
        assert s.scalars(select(TemplateVersion)).first() is None  # nothing saved


def test_braces_without_the_dollar_are_refused_naming_the_right_form(db: Database, admin: Principal,
                                                                      tmp_path: Path) -> None:
    """User trial: ``{child}`` (the ``$`` missing, as the minutes' Word template writes placeholders) was
    imported and every reminder read "your letterbox exchange for {child} is due"."""
    text = ta.letter_text(db, admin, NAME)
    assert "${child}" in text
    for slip in ("{child}", "{{child}}", "{ child }"):
        with pytest.raises(ValidationError, match=r"line \d+\) is not a placeholder here.* Write \$\{child\}"):
            ta.save_letter_template(db, admin, NAME, text.replace("${child}", slip, 1))
    bad = tmp_path / "reminder.txt"
    bad.write_text(text.replace("${child}", "{child}").replace("Dear ${salutation}", "Dear {{salutation}}"),
                   encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        ta.import_template(db, admin, NAME, bad)
    assert "{child}" in str(err.value) and "Write ${child}" in str(err.value)
    assert "{{salutation}}" in str(err.value) and "Write ${salutation}" in str(err.value)
    with pytest.raises(ValidationError, match=r"Write \$\{child\}"):  # the preview checks it too
        ta.preview_letter(db, admin, NAME, tmp_path / "p.pdf", text=text.replace("${child}", "{child}"))
    assert ta.versions(db, admin, NAME) == ()
    # $child (no braces) is a placeholder string.Template fills; braces around words that are not
    # placeholders, and a dollar sign written $$, are ordinary text
    ok = text.replace("${child}", "$child", 1) + "\nSee {our leaflet}; it costs $$5.\n"
    assert ta.save_letter_template(db, admin, NAME, ok) == 1
    _label, body = _load(db)
    assert "{child}" not in body and "See {our leaflet}; it costs $5." in body


def test_a_dollar_sign_is_refused_saying_how_to_write_one(db: Database, admin: Principal) -> None:
    text = ta.letter_text(db, admin, NAME)
    with pytest.raises(ValidationError) as err:
        ta.save_letter_template(db, admin, NAME, text + "\nThe fee is $5 per letter.\n")
    message = str(err.value)
    assert "broken placeholder near" in message and "$5 per letter" in message
    assert "to write a dollar sign, write $$" in message
    assert ta.versions(db, admin, NAME) == ()


def test_only_administrators_manage_templates(db: Database) -> None:
    clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    with pytest.raises(PermissionDenied):
        ta.save_letter_template(db, clerk, NAME, "Subject: x\n\nBody.\n")
    with pytest.raises(PermissionDenied):
        ta.list_templates(db, clerk)


def test_versions_are_kept_and_the_shipped_one_restored(db: Database, admin: Principal) -> None:
    save_agency_profile(db, admin, PROFILE)
    shipped = ta.letter_text(db, admin, NAME)
    assert _load(db)[0] == f"{NAME} v0 (shipped)"
    v1 = ta.save_letter_template(db, admin, NAME, edited(shipped), expected_version=0, note="first edit")
    label, body = _load(db)
    assert (v1, label) == (1, f"{NAME} v1") and "Our own paragraph for 01632 960 123." in body
    with pytest.raises(StaleRecord):  # a second administrator's form still shows version 0
        ta.save_letter_template(db, admin, NAME, shipped + "\nAnother.\n", expected_version=0)
    v2 = ta.save_letter_template(db, admin, NAME, edited(shipped).replace("Our own", "Our better"))
    v3 = ta.restore_shipped(db, admin, NAME, expected_version=v2)
    assert (v2, v3) == (2, 3)
    label, body = _load(db)
    assert label == f"{NAME} v3 (shipped)" and "Our" not in body
    history = ta.versions(db, admin, NAME)
    assert [(h.version, h.source) for h in history] == [(3, "shipped"), (2, "edited"), (1, "edited")]
    assert "Our own paragraph" in ta.letter_text(db, admin, NAME, version=1)  # never overwritten
    assert ta.letter_text(db, admin, NAME) == shipped
    info = ta.template_info(db, admin, NAME)
    assert "agency_telephone" in info.placeholders and "salutation" in info.placeholders


def test_an_imported_template_survives_an_upgrade(db: Database, admin: Principal, tmp_path: Path,
                                                  new_program_folder: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    exported = ta.export_template(db, admin, NAME, tmp_path / "reminder.txt")
    exported.write_text(edited(exported.read_text(encoding="utf-8")), encoding="utf-8")  # edited in Notepad
    assert ta.import_template(db, admin, NAME, exported) == 1
    chaser = ta.letter_text(db, admin, "letterbox_chaser")
    ta.save_letter_template(db, admin, "letterbox_chaser", chaser.replace("\n\n", "\n\nKept chaser.\n\n", 1))
    docx = _edited_minutes(ta.minutes_docx(db, admin), "Our own minutes heading")
    (tmp_path / "minutes.docx").write_bytes(docx)
    ta.import_template(db, admin, "minutes", tmp_path / "minutes.docx")

    monkeypatch.setattr(resources, "app_root", lambda: new_program_folder)  # the upgrade
    label, body = _load(db)
    assert label == f"{NAME} v1" and "Our own paragraph" in body and "Shipped in v2" not in body
    assert "Kept chaser." in _load(db, "letterbox_chaser")[1]  # its shipped file is gone
    assert "Our own minutes heading" in _docx_text(ta.minutes_docx(db, admin))
    # restoring now takes the new shipped text
    ta.restore_shipped(db, admin, NAME)
    assert "Shipped in v2" in _load(db)[1]
    with pytest.raises(ValidationError, match="no shipped version"):
        ta.restore_shipped(db, admin, "letterbox_chaser")


def _edited_minutes(content: bytes, heading: str, extra: str = "") -> bytes:
    doc = Document(io.BytesIO(content))
    doc.paragraphs[0].insert_paragraph_before(heading + extra)
    doc.sections[0].header.add_paragraph("{agency_telephone} {agency_email}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def test_minutes_template_is_checked_on_import(db: Database, admin: Principal, tmp_path: Path) -> None:
    shipped = ta.minutes_docx(db, admin)
    bad = tmp_path / "bad.docx"
    bad.write_bytes(_edited_minutes(shipped, "Heading", " {chair_shoe_size}"))
    with pytest.raises(ValidationError, match=r"\{chair_shoe_size\}"):
        ta.import_template(db, admin, "minutes", bad)
    doc = Document(io.BytesIO(shipped))
    for p in doc.paragraphs:
        if p.text.strip() == "{{minutes}}":
            p.text = "minutes go here"
    doc.save(str(bad))
    with pytest.raises(ValidationError, match=r"\{\{minutes\}\}"):
        ta.import_template(db, admin, "minutes", bad)
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValidationError, match="not a Word"):
        ta.import_template(db, admin, "minutes", bad)
    assert ta.versions(db, admin, "minutes") == ()


def test_preview_uses_demo_data_and_the_letterhead(db: Database, admin: Principal, tmp_path: Path) -> None:
    save_agency_profile(db, admin, PROFILE)
    out = ta.preview_letter(db, admin, NAME, tmp_path / "preview.pdf",
                            text=edited(ta.letter_text(db, admin, NAME)))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(out)).pages)
    assert "Our own paragraph for 01632 960 123." in text and "adoption@example.org" in text
    assert ta.versions(db, admin, NAME) == ()  # a preview saves nothing


def test_template_edited_on_one_pc_is_used_on_another(postgres_server: PostgresServer | None) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    url = postgres_server.empty_database_url("tpl_")
    first = open_postgresql(url)
    migrations.create_schema(first)
    second = open_postgresql(url)  # another PC on the same team server
    try:
        admin = make_user(first, "admin", Role.ADMINISTRATOR)
        ta.save_letter_template(first, admin, NAME, edited(ta.letter_text(first, admin, NAME)))
        label, body = _load(second)
        assert label == f"{NAME} v1" and "Our own paragraph" in body
        assert ta.versions(second, admin, NAME)[0].created_by == "admin"
    finally:
        second.dispose()
        first.dispose()


def test_version_label_follows_the_newest_row(db: Database, admin: Principal) -> None:
    with db.session(write=False) as s:
        assert template_version_label(s, "adm_decision") == "adm_decision v0 (shipped)"
    ta.save_letter_template(db, admin, "adm_decision", ta.letter_text(db, admin, "adm_decision") + "\nP.S.\n")
    with db.session(write=False) as s:
        assert template_version_label(s, "adm_decision") == "adm_decision v1"


def test_headless_export_import_and_restore(db: Database, admin: Principal, db_path: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop import cli
    from tests.conftest import TEST_PASSWORD

    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    base = ["--db", str(db_path), "--user", "admin", "--name", NAME]
    out = tmp_path / "r.txt"
    assert cli.main(["export", "template", *base, "--out", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "\nFrom a script.\n", encoding="utf-8")
    assert cli.main(["import", "template", *base, "--file", str(out), "--note", "scripted"]) == 0
    assert "Template letterbox_reminder: version 1 is now in use" in capsys.readouterr().out
    out.write_text(out.read_text(encoding="utf-8") + "\n${nope}\n", encoding="utf-8")
    assert cli.main(["import", "template", *base, "--file", str(out)]) == 2
    assert "${nope}" in capsys.readouterr().err
    assert cli.main(["import", "template", *base, "--restore-shipped"]) == 0
    assert cli.main(["export", "template", "--db", str(db_path), "--user", "admin", "--list"]) == 0
    assert f"{NAME}\t{NAME} v2 (shipped)" in capsys.readouterr().out
    assert [(v.version, v.note) for v in ta.versions(db, admin, NAME)] == [
        (2, "restored the shipped version"), (1, "scripted")]
