"""The agency profile: who the letters and the minutes come from (no Qt).

Stored as local-practice settings (``settings`` table: audited, row-versioned, shared by every PC in team
mode): the name and address keep their old keys ``agency.name`` / ``agency.address`` (and IT's policy
values ``AgencyName`` / ``AgencyAddress``); ``AgencyProfileLocked`` locks every field of the profile.
The logo is a PNG (an SVG is rasterised by the administration screen before it gets here), scaled to at
most :data:`LOGO_MAX_PX` pixels high, stored base64 in ``agency.logo``.

Signers: each user's ``job_title`` (users table) is printed under their name where they sign a letter
(:func:`signer_title`, read by the signing account's id: two accounts may share a full name).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import struct
import warnings
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.concurrency import lock_row
from adoption_desktop.core.config import AGENCY_ADDRESS, AGENCY_NAME, Setting, register
from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.models import SettingValue
from adoption_desktop.core.policy import current_policy
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database

AREAS = ("panel", "adm", "letterbox", "counselling")
AREA_LABELS = {"panel": "Adoption panel", "adm": "Agency decision maker", "letterbox": "Letterbox",
               "counselling": "Birth-records counselling"}
LOGO_MAX_PX = 300
LOGO_MAX_BYTES = 2_000_000
#: the largest picture accepted as a logo, as the side of a square (pixels): it is printed at most 18 mm
#: high, a few cm wide, and stored at most :data:`LOGO_MAX_PX` high, so anything bigger only costs time and
#: memory to decode (a 16000 × 16000 PNG is 51 KB on disk but a gigabyte in memory). What counts is the
#: number of pixels (:data:`LOGO_MAX_SOURCE_PIXELS`): a wide banner (4500 × 300) is a small picture, and an
#: SVG as wide as :data:`LOGO_MAX_ASPECT` allows is drawn 6000 × 300.
LOGO_MAX_SOURCE_SIDE = 4000
LOGO_MAX_SOURCE_PIXELS = LOGO_MAX_SOURCE_SIDE * LOGO_MAX_SOURCE_SIDE
#: the most a logo may be wider than tall, or taller than wide (an SVG drawn wider is refused)
LOGO_MAX_ASPECT = 20

AGENCY_LEGAL_NAME = register(Setting("agency.legal_name", "", "Agency legal name (if different)"))
AGENCY_TELEPHONE = register(Setting("agency.telephone", "", "Agency telephone on letters"))
AGENCY_EMAIL = register(Setting("agency.email", "", "Agency e-mail on letters"))
AGENCY_WEBSITE = register(Setting("agency.website", "", "Agency website on letters"))
AGENCY_DATA_PROTECTION = register(Setting(
    "agency.data_protection", "", "Data-protection line on letters",
    "How the agency uses personal data, e.g. where its privacy notice is."))
TEAM_NAMES: dict[str, Setting[str]] = {
    "panel": register(Setting("agency.team.panel", "Adoption Panel", "Team name on panel letters")),
    "adm": register(Setting("agency.team.adm", "Adoption Decisions", "Team name on decision letters")),
    "letterbox": register(Setting("agency.team.letterbox", "Letterbox Service", "Team name on letterbox letters")),
    "counselling": register(Setting("agency.team.counselling", "Birth Records Counselling",
                                    "Team name on counselling letters")),
}
#: not in the settings tab (base64 PNG; changed with :func:`set_agency_logo`)
AGENCY_LOGO: Setting[str] = Setting("agency.logo", "", "Agency logo")

#: every setting the profile is made of (what ``AgencyProfileLocked`` locks)
PROFILE_SETTINGS: tuple[Setting[Any], ...] = (
    AGENCY_NAME, AGENCY_ADDRESS, AGENCY_LEGAL_NAME, AGENCY_TELEPHONE, AGENCY_EMAIL, AGENCY_WEBSITE,
    AGENCY_DATA_PROTECTION, *TEAM_NAMES.values(), AGENCY_LOGO)

_PHONE = re.compile(r"^[0-9+() \-]{6,30}$")
_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$")


@dataclass(frozen=True)
class AgencyProfile:
    name: str
    address: str
    legal_name: str = ""
    telephone: str = ""
    email: str = ""
    website: str = ""
    data_protection: str = ""
    team_panel: str = ""
    team_adm: str = ""
    team_letterbox: str = ""
    team_counselling: str = ""
    logo_png: bytes | None = None

    def team(self, area: str | None) -> str:
        return str(getattr(self, f"team_{area}", "")) if area else ""

    def placeholders(self, area: str | None = None) -> dict[str, str]:
        """The values every template may use (``${telephone}`` in a letter, ``{telephone}`` in the
        minutes' header)."""
        return {"agency_name": self.name, "agency_legal_name": self.legal_name or self.name,
                "agency_address": self.address.replace("\n", ", "), "agency_telephone": self.telephone,
                "agency_email": self.email, "agency_website": self.website, "team_name": self.team(area)}


#: the placeholders the profile gives every template (letters and minutes)
PROFILE_PLACEHOLDERS = tuple(AgencyProfile("", "").placeholders())

_FIELD_SETTING: dict[str, Setting[Any]] = {
    "name": AGENCY_NAME, "address": AGENCY_ADDRESS, "legal_name": AGENCY_LEGAL_NAME,
    "telephone": AGENCY_TELEPHONE, "email": AGENCY_EMAIL, "website": AGENCY_WEBSITE,
    "data_protection": AGENCY_DATA_PROTECTION, **{f"team_{a}": s for a, s in TEAM_NAMES.items()},
}


def _value(session: Session, setting: Setting[Any], stored: dict[str, str]) -> Any:
    locked, value = current_policy().setting_override(setting.key)
    if locked and value is not None:
        return value
    try:
        return setting.parse(stored.get(setting.key))
    except ValueError:
        return setting.default


def agency_profile(session: Session) -> AgencyProfile:
    """The profile as letters print it (IT policy values win over stored ones)."""
    keys = [s.key for s in PROFILE_SETTINGS]
    stored = {k: v for k, v in session.execute(select(SettingValue.key, SettingValue.value)
                                               .where(SettingValue.key.in_(keys)))}
    values = {f: str(_value(session, s, stored)) for f, s in _FIELD_SETTING.items()}
    logo_b64 = str(_value(session, AGENCY_LOGO, stored))
    logo: bytes | None = None
    if logo_b64:
        try:
            logo = base64.b64decode(logo_b64, validate=True)
        except (binascii.Error, ValueError):
            logo = None  # damaged outside the application: letters go out without it
    return AgencyProfile(logo_png=logo, **values)


#: what the agency profile's name and address are until an administrator (or IT's policy) sets them: the
#: shipped example, which every letter, the minutes and the reports would otherwise be headed with
EXAMPLE_HEADING = (AGENCY_NAME.default, AGENCY_ADDRESS.default)


def heading_not_set(session: Session) -> tuple[str, ...]:
    """The labels of the letterhead's own fields, the agency's name and its postal address, that were never
    set for this database: neither saved by an administrator nor given by IT's policy. Until they are, every
    letter, the minutes and the reports carry the shipped example ones ("Example Regional Adoption Agency,
    1 Example Street"): a new agency's first letters went out so (user trial ut28), nothing saying so."""
    keys = (AGENCY_NAME.key, AGENCY_ADDRESS.key)
    stored = set(session.scalars(select(SettingValue.key).where(SettingValue.key.in_(keys))))
    policy = current_policy()
    return tuple(label for key, label in zip(keys, ("name", "postal address"), strict=True)
                 if key not in stored and policy.setting_override(key)[1] is None)


def profile_versions(session: Session) -> dict[str, int]:
    """Each profile field's stored ``row_version`` (0: never stored), for :func:`save_agency_profile`."""
    stored = {k: int(v) for k, v in session.execute(select(SettingValue.key, SettingValue.row_version))}
    return {f: stored.get(s.key, 0) for f, s in {**_FIELD_SETTING, "logo_png": AGENCY_LOGO}.items()}


def locked_fields() -> dict[str, str]:
    """Profile fields IT's policy fixes on this PC: field → policy value name."""
    policy = current_policy()
    out: dict[str, str] = {}
    for f, s in {**_FIELD_SETTING, "logo_png": AGENCY_LOGO}.items():
        name = policy.locked_by(s.key)
        if name:
            out[f] = name
    return out


def _check(profile: AgencyProfile) -> AgencyProfile:
    from adoption_desktop.core.text_input import clean_text, is_email_address

    cleaned: dict[str, str] = {}
    for f, s in _FIELD_SETTING.items():
        cleaned[f] = clean_text(str(getattr(profile, f)), s.label, multiline=(f == "address"),
                                max_length=400).strip()
    if not cleaned["name"]:
        raise ValidationError("Agency name: enter the name printed at the top of every letter.", "name")
    if not cleaned["address"]:
        raise ValidationError("Agency address: enter the postal address printed on every letter.", "address")
    if cleaned["telephone"] and not _PHONE.match(cleaned["telephone"]):
        raise ValidationError("Telephone: use digits, spaces, + ( ) and - only, e.g. 01632 960 000.", "telephone")
    if cleaned["email"] and not is_email_address(cleaned["email"]):
        raise ValidationError("E-mail: enter one address like adoption@example.org.", "email")
    if cleaned["website"] and not _WEBSITE.match(cleaned["website"]):
        raise ValidationError("Website: enter an address like www.example.org.", "website")
    return replace(profile, **cleaned)  # type: ignore[arg-type]


def save_agency_profile(db: Database, actor: Principal, profile: AgencyProfile, *,
                        expected_versions: dict[str, int] | None = None) -> None:
    """Save every text field of the profile in one transaction (the logo: :func:`set_agency_logo`).

    Fields IT locked are refused when changed. ``expected_versions`` (from :func:`profile_versions` when
    the form was loaded): when another administrator changed a field meanwhile nothing is saved."""
    require(actor, Permission.SETTINGS_MANAGE)
    profile = _check(profile)
    locked = locked_fields()
    with db.session(actor) as session:
        current = agency_profile(session)
        stored = {r.key: r for r in session.scalars(select(SettingValue).where(
            SettingValue.key.in_([s.key for s in _FIELD_SETTING.values()])))}
        for f, s in _FIELD_SETTING.items():
            new = getattr(profile, f)
            if new == getattr(current, f):
                continue
            if f in locked:
                raise ValidationError(f"{s.label}: set by your IT department for this computer (policy "
                                      f"{locked[f]}); ask IT to change it.", f)
            row = stored.get(s.key)
            if row is not None:
                lock_row(session, row)
            if expected_versions is not None and (row.row_version if row else 0) != expected_versions.get(f, 0):
                raise StaleRecord(f"{s.label}: another administrator changed the agency profile since you "
                                  "opened it; nothing was saved. Reload it and apply your change again.",
                                  what="agency profile", your_version=expected_versions.get(f, 0))
            if row is None:
                session.add(SettingValue(key=s.key, value=json.dumps(new)))
            else:
                row.value = json.dumps(new)


_NOT_CHANGED = "The logo on letters was not changed."


def _too_large(width: int, height: int) -> ValidationError:
    side = LOGO_MAX_SOURCE_SIDE
    size = f" ({width:,} × {height:,} pixels)" if width and height else ""
    return ValidationError(
        f"Logo: the image is too large{size}; a letterhead logo is printed only a "
        f"few centimetres wide, so save a smaller copy (at most {LOGO_MAX_SOURCE_PIXELS // 1_000_000} million "
        f"pixels, such as {side:,} × {side:,}) and choose it again. {_NOT_CHANGED}", "logo")


def logo_render_size(width: float, height: float, target_height: int = LOGO_MAX_PX) -> tuple[int, int]:
    """The pixel size to draw a vector logo (an SVG) of ``width`` × ``height`` at: ``target_height`` high,
    its shape kept. Refuses a shape no letterhead can print (more than :data:`LOGO_MAX_ASPECT` times as
    wide as tall or as tall as wide): drawn, it would be billions of pixels wide, or a blank line."""
    if not (width > 0 and height > 0):
        raise ValidationError("Logo: the SVG has no width or height; export it again with its size set, or "
                              f"use a PNG. {_NOT_CHANGED}", "logo")
    if width > height * LOGO_MAX_ASPECT or height > width * LOGO_MAX_ASPECT:
        raise ValidationError(
            f"Logo: the SVG's shape ({width:,.0f} × {height:,.0f}) is too wide or tall for a letterhead; a "
            f"logo may be at most {LOGO_MAX_ASPECT} times as wide as it is tall (or as tall as wide). Check "
            f"its width and height, export it again, or use a PNG. {_NOT_CHANGED}", "logo")
    return max(1, round(width * target_height / height)), target_height


def check_logo_png(data: bytes) -> bytes:
    """The logo as a PNG at most :data:`LOGO_MAX_PX` high (scaled down keeping its shape); refuses what
    is not a PNG image, or has more than :data:`LOGO_MAX_SOURCE_PIXELS` pixels, naming the fix.

    The size is read from the PNG's header before anything is decoded (Pillow opens lazily), so a
    "decompression bomb" (a small file declaring a huge picture) is refused at once."""
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(f"Logo: the file is larger than 2 MB; save a smaller PNG. {_NOT_CHANGED}", "logo")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError("Logo: choose a PNG image (or an SVG, which is converted to PNG).", "logo")
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > LOGO_MAX_SOURCE_PIXELS:
                    raise _too_large(width, height)
                img.load()
                if img.height <= LOGO_MAX_PX:
                    return data
                scaled_width = max(1, round(img.width * LOGO_MAX_PX / img.height))
                scaled = img.resize((scaled_width, LOGO_MAX_PX), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                scaled.save(out, format="PNG", optimize=True)
                return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(*_declared_size(data)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
        # never Python's own text ("cannot identify image file <_io.BytesIO object at 0x…>")
        raise ValidationError("Logo: the file is not a PNG image that can be read (it may be damaged); save "
                              f"it again as PNG and choose it again. {_NOT_CHANGED}", "logo") from exc


def _declared_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first, right after the signature); (0, 0) if none."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return 0, 0
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def set_agency_logo(db: Database, actor: Principal, png: bytes | None) -> None:
    """Set (``png``) or remove (``None``) the logo on every letter."""
    require(actor, Permission.SETTINGS_MANAGE)
    name = locked_fields().get("logo_png")
    if name:
        raise ValidationError(f"Logo: set by your IT department for this computer (policy {name}); "
                              "ask IT to change it.", "logo")
    value = "" if png is None else base64.b64encode(check_logo_png(png)).decode("ascii")
    with db.session(actor) as session:
        row = session.get(SettingValue, AGENCY_LOGO.key)
        if row is None:
            session.add(SettingValue(key=AGENCY_LOGO.key, value=json.dumps(value)))
        else:
            lock_row(session, row)
            row.value = json.dumps(value)


def signer_title(session: Session, *, user_id: int) -> str:
    """The job title on the record of the account ``user_id`` (``""`` when none or no such user): letters
    pass the signing account, never a name (two accounts may share a full name: a counsellor and an ADM
    both "Sam Brook")."""
    from adoption_desktop.core.security.models import User

    return str(session.scalars(select(User.job_title).where(User.id == user_id)).first() or "")


def profile_field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(AgencyProfile))
