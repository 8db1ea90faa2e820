"""The agency profile: administrators only, audited, IT-lockable, printed on every letter."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from adoption_desktop.core import policy
from adoption_desktop.core.agency_profile import (
    LOGO_MAX_PX,
    LOGO_MAX_SOURCE_SIDE,
    AgencyProfile,
    agency_profile,
    logo_render_size,
    profile_versions,
    save_agency_profile,
    set_agency_logo,
    signer_title,
)
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.documents.letterhead import letterhead
from adoption_desktop.core.documents.pdf import Letter, write_letters
from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.errors import PermissionDenied, StaleRecord, ValidationError
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user

PROFILE = AgencyProfile(
    name="Example Regional Adoption Agency", address="1 Example Street\nExampletown\nZZ99 1AA",
    legal_name="Example Adoption Partnership Ltd", telephone="01632 960 123", email="adoption@example.org",
    website="www.example.org", data_protection="How we use your information: www.example.org/privacy",
    team_panel="Panel Team", team_adm="Decisions Team", team_letterbox="Letterbox Team",
    team_counselling="Counselling Team")


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (47, 93, 124)).save(out, format="PNG")
    return out.getvalue()


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages)


def test_profile_is_saved_audited_and_printed_on_letters(db: Database, admin: Principal, tmp_path: Path) -> None:
    save_agency_profile(db, admin, PROFILE)
    set_agency_logo(db, admin, _png(120, 60))
    with db.session(write=False) as s:
        assert agency_profile(s) == replace(PROFILE, logo_png=agency_profile(s).logo_png)
        head = letterhead(s, area="letterbox")
        old_call = letterhead(s)  # the old call still works: no team line
        entries = s.scalars(select(AuditEntry).where(AuditEntry.entity == "settings")).all()
    assert old_call.team_name == "" and head.team_name == "Letterbox Team"
    assert head.logo_png is not None and head.logo_png.startswith(b"\x89PNG")
    changed = {e.entity_id for e in entries}
    assert {"agency.telephone", "agency.email", "agency.logo"} <= changed
    assert all(e.actor == admin.username for e in entries if e.entity_id == "agency.telephone")

    out = tmp_path / "letter.pdf"
    text = RenderedLetterText("A subject", "Dear Ms Example,", ("Please telephone or write to me.",),
                              "Yours sincerely,")
    write_letters(out, [Letter(("Ms S Example", "ZZ99 9ZZ"), text, dt.date(2026, 3, 5), "REF-1", "A Tester",
                               "Letterbox coordinator")], head)
    printed = _pdf_text(out)
    for expected in ("01632 960 123", "adoption@example.org", "www.example.org", "Letterbox Team",
                     "How we use your information"):
        assert expected in printed


def test_only_administrators_change_it(db: Database, admin: Principal) -> None:
    clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    with pytest.raises(PermissionDenied):
        save_agency_profile(db, clerk, PROFILE)
    with pytest.raises(PermissionDenied):
        set_agency_logo(db, clerk, _png(10, 10))


@pytest.mark.parametrize(("field", "value", "named"), [
    ("email", "not an address", "E-mail"), ("telephone", "call me", "Telephone"),
    ("website", "no spaces allowed here", "Website"), ("name", "  ", "Agency name")])
def test_bad_values_are_refused_naming_the_field(db: Database, admin: Principal, field: str, value: str,
                                                 named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        save_agency_profile(db, admin, replace(PROFILE, **{field: value}))  # type: ignore[arg-type]


def test_logo_is_scaled_and_non_png_refused(db: Database, admin: Principal) -> None:
    set_agency_logo(db, admin, _png(200, 900))
    with db.session(write=False) as s:
        logo = agency_profile(s).logo_png
    assert logo is not None
    with Image.open(io.BytesIO(logo)) as img:
        assert img.height == LOGO_MAX_PX and 60 <= img.width <= 70
    with pytest.raises(ValidationError, match="PNG"):
        set_agency_logo(db, admin, b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    set_agency_logo(db, admin, None)
    with db.session(write=False) as s:
        assert agency_profile(s).logo_png is None


def _stored_logo(db: Database) -> bytes | None:
    with db.session(write=False) as s:
        return agency_profile(s).logo_png


def _with_declared_size(png: bytes, width: int, height: int) -> bytes:
    """``png`` with its IHDR chunk saying ``width`` × ``height`` (CRC fixed): a small file declaring a
    huge picture, as a "decompression bomb" does."""
    ihdr = png[12:16] + struct.pack(">II", width, height) + png[24:29]
    return png[:8] + png[8:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


def test_a_huge_logo_is_refused_from_its_header_keeping_the_old_one(db: Database, admin: Principal) -> None:
    """IT trial: a valid 51 KB PNG of 16000 × 16000 pixels made Pillow raise DecompressionBombError, which
    nothing caught ("Unexpected problem"); a 12000 × 9000 one was decoded for 2 s and taken."""
    set_agency_logo(db, admin, _png(120, 60))
    kept = _stored_logo(db)
    out = io.BytesIO()
    Image.new("1", (16000, 16000)).save(out, format="PNG")  # small on disk, a gigabyte decoded
    bomb = out.getvalue()
    assert len(bomb) < 200_000
    big = _with_declared_size(_png(10, 10), 12000, 9000)
    just_over = _with_declared_size(_png(10, 10), LOGO_MAX_SOURCE_SIDE + 1, LOGO_MAX_SOURCE_SIDE)
    for data, said in ((bomb, "16,000 × 16,000 pixels"), (big, "12,000 × 9,000 pixels"),
                       (just_over, f"{LOGO_MAX_SOURCE_SIDE + 1:,} × {LOGO_MAX_SOURCE_SIDE:,} pixels")):
        with pytest.raises(ValidationError) as err:
            set_agency_logo(db, admin, data)
        text = str(err.value)
        assert text.startswith(f"Logo: the image is too large ({said}); ") and "few centimetres" in text
        assert f"at most 16 million pixels, such as {LOGO_MAX_SOURCE_SIDE:,} × {LOGO_MAX_SOURCE_SIDE:,})" in text
        assert "choose it again" in text and "was not changed" in text
        assert _stored_logo(db) == kept
    set_agency_logo(db, admin, _png(LOGO_MAX_SOURCE_SIDE, 40))  # the largest side taken
    assert _stored_logo(db) != kept


def test_a_wide_banner_logo_is_taken(db: Database, admin: Principal) -> None:
    """A reviewer's finding: a limit of 4000 pixels a side refused a 4500 × 300 letterhead banner (1.35 million
    pixels), and every SVG wider than about 13:1, drawn 300 pixels high, although the SVG rule allows 20:1.
    What costs memory is the number of pixels."""
    set_agency_logo(db, admin, _png(4500, 300))
    assert Image.open(io.BytesIO(_stored_logo(db))).size == (4500, 300)
    set_agency_logo(db, admin, _png(6000, 300))  # an SVG of 20:1 as svg_to_png draws it
    assert Image.open(io.BytesIO(_stored_logo(db))).size == (6000, 300)


def test_pillows_bomb_warning_is_a_refusal_too(db: Database, admin: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow warns (DecompressionBombWarning) over MAX_IMAGE_PIXELS and refuses over twice that: both are
    "too large", never taken nor an unexpected problem (an agency's Pillow may be set lower)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    for side in (40, 50):  # 1600 pixels: the warning; 2500: the error
        with pytest.raises(ValidationError, match=rf"too large \({side} × {side} pixels\)"):
            set_agency_logo(db, admin, _png(side, side))
    assert _stored_logo(db) is None


def test_a_damaged_png_is_named_in_plain_words(db: Database, admin: Principal) -> None:
    """It said "the PNG file cannot be read (cannot identify image file <_io.BytesIO object at 0x7fc1…>)"."""
    good = _png(30, 30)
    for damaged in (b"\x89PNG\r\n\x1a\n" + bytes(500), good[:60], good[:40] + bytes(len(good) - 40)):
        with pytest.raises(ValidationError) as err:
            set_agency_logo(db, admin, damaged)
        assert str(err.value) == ("Logo: the file is not a PNG image that can be read (it may be damaged); save "
                                  "it again as PNG and choose it again. The logo on letters was not changed.")


def test_an_svg_logo_too_wide_or_tall_for_a_letterhead_is_refused() -> None:
    """IT trial: an SVG 100,000,000 × 1 was drawn 30,000,000,000 pixels wide (SystemError)."""
    assert logo_render_size(200, 100) == (600, LOGO_MAX_PX)
    assert logo_render_size(1120, 60) == (5600, LOGO_MAX_PX)  # a banner, 18.7 times as wide as tall
    assert logo_render_size(200, 100, 50) == (100, 50)
    for width, height, said in ((100_000_000, 1, "100,000,000 × 1"), (100_000, 1, "100,000 × 1"),
                                (1, 500, "1 × 500")):
        with pytest.raises(ValidationError) as err:
            logo_render_size(width, height)
        assert str(err.value).startswith(f"Logo: the SVG's shape ({said}) is too wide or tall for a letterhead; ")
        assert "was not changed" in str(err.value)


def test_stale_form_is_refused(db: Database, admin: Principal) -> None:
    with db.session(write=False) as s:
        seen = profile_versions(s)
    save_agency_profile(db, admin, PROFILE, expected_versions=seen)
    with pytest.raises(StaleRecord):
        save_agency_profile(db, admin, replace(PROFILE, telephone="01632 960 999"), expected_versions=seen)


def test_it_policy_locks_the_whole_profile(db: Database, admin: Principal, tmp_path: Path) -> None:
    save_agency_profile(db, admin, PROFILE)
    policy_file = tmp_path / "policy" / "policy.json"
    policy_file.parent.mkdir(parents=True, exist_ok=True)
    policy_file.write_text(json.dumps({"AgencyName": "IT Named Agency", "AgencyProfileLocked": 1}))
    policy.reset_cache()
    with db.session(write=False) as s:
        assert agency_profile(s).name == "IT Named Agency"
        assert agency_profile(s).telephone == "01632 960 123"  # stored value still printed
    with pytest.raises(ValidationError, match="AgencyProfileLocked"):
        save_agency_profile(db, admin, replace(PROFILE, name="IT Named Agency", telephone="01632 960 000"))
    with pytest.raises(ValidationError, match="AgencyProfileLocked"):
        set_agency_logo(db, admin, _png(10, 10))
    # unchanged fields pass (the form saves everything it shows)
    save_agency_profile(db, admin, replace(PROFILE, name="IT Named Agency"))


def test_job_title_is_on_the_user_record(db: Database, admin: Principal) -> None:
    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    users.set_job_title(db, admin, adm.user_id, "Agency decision maker")
    with pytest.raises(PermissionDenied):
        users.set_job_title(db, adm, adm.user_id, "Chief")
    summary = next(u for u in users.list_users(db, admin) if u.id == adm.user_id)
    assert summary.job_title == "Agency decision maker"
    with db.session(write=False) as s:
        assert signer_title(s, user_id=adm.user_id) == "Agency decision maker"
        assert signer_title(s, user_id=987_654) == ""  # no such account


def test_two_accounts_sharing_a_name_each_give_their_own_title(db: Database, admin: Principal) -> None:
    """Two accounts share a full name: each account gives its own title (a title is read by account only)."""
    from tests.same_name import named

    counsellor = named(db, admin, "sbrook", Role.COUNSELLOR, "Birth-records counsellor")
    adm = named(db, admin, "sbrook2", Role.AGENCY_DECISION_MAKER, "Agency decision maker")
    with db.session(write=False) as s:
        assert signer_title(s, user_id=counsellor.user_id) == "Birth-records counsellor"
        assert signer_title(s, user_id=adm.user_id) == "Agency decision maker"
