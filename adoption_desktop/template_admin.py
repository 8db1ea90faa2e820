"""Templates as data: the administrator's use cases on letter and minutes templates (no Qt).

Every change adds a row to ``template_versions`` (never updated, never deleted): an edit in the
application, an import of an edited file, or a restore of the shipped version (a row with no text,
meaning "the program's own file"). The newest row is the one letters use (``templates.load_template``);
the shipped files are the defaults. A template naming a placeholder its letters cannot fill is refused,
naming it.

It sits above the features (like the CLI), because it serves every area's templates, the minutes'
``.docx`` (``panel.minutes_template``) among them: ``core`` never imports a feature.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.agency_profile import PROFILE_PLACEHOLDERS
from adoption_desktop.core.concurrency import local_time
from adoption_desktop.core.documents.templates import (
    LETTER_TEMPLATE_DIR,
    brace_slips,
    current_wording,
    load_template,
    merge_fields,
    parse_template,
    shipped_template,
    stored_version,
    template_file,
    version_label,
)
from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.files import output_file
from adoption_desktop.core.models import TemplateVersion
from adoption_desktop.core.resources import resource_path
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import record_now
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import minutes_template

MINUTES = minutes_template.STORED_NAME
MAX_LETTER_CHARS = 50_000
MAX_DOCX_BYTES = 10_000_000
#: the longest note kept with a version ("why it changed")
MAX_NOTE_CHARS = 200

#: placeholders a template's letters are filled with beyond those its shipped file uses (declared here, not
#: when a feature's module loads: a command that imports a template loads no feature's service)
EXTRA_PLACEHOLDERS: dict[str, set[str]] = {
    # the shipped acknowledgement now says ${adoption_made} (the adoption order date may be not known); an
    # agency's own version written before still names the date itself ("not known" when it is)
    "counselling_acknowledgement": {"adoption_order_date"},
    # a qualifying determination in its type's own words (adm.rules.QD_WORDS): an agency's own notice or
    # final-decision letter may use either, as the shipped files now do
    "adm_qd_notice": {"proposal_words"},
    "adm_final_decision": {"proposal_subject"},
}
# the child as a sentence names them ("the child T.Y.", adm.documents.child_words): every ADM letter has the
# value; the shipped plan-for-adoption letter uses it, and an agency's own letter may (``initials`` stays
# as typed, for a version written before)
for _adm in ("adm_approval", "adm_decision", "adm_final_decision", "adm_match_agreed", "adm_more_information",
             "adm_plan_agreed", "adm_qd_notice"):
    EXTRA_PLACEHOLDERS.setdefault(_adm, set()).add("child")
del _adm
# the shipped plan-for-adoption letter said "the child (${initials})" until 2 December 2026: an agency's own
# version of it keeps ${initials} (saved again or imported, it is not refused)
EXTRA_PLACEHOLDERS["adm_plan_agreed"].add("initials")


def register_placeholders(name: str, *names: str) -> None:
    """Let template ``name`` use ``names`` (a feature that now supplies more values says so here)."""
    EXTRA_PLACEHOLDERS.setdefault(name, set()).update(names)


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    kind: str  # "letter" or "minutes"
    version: int  # 0: never changed (the shipped file)
    source: str  # "shipped", "edited" or "imported"
    label: str  # "adm_decision v3"
    placeholders: tuple[str, ...]  # what it may use
    shipped_exists: bool


@dataclass(frozen=True)
class VersionInfo:
    version: int
    source: str
    note: str
    created_at: dt.datetime
    created_by: str


def _shipped_letter_names() -> set[str]:
    folder = resource_path(*LETTER_TEMPLATE_DIR)
    return {p.stem for p in folder.glob("*.txt")} if folder.is_dir() else set()


def _stored_names(session: Session) -> set[str]:
    return set(session.scalars(select(TemplateVersion.name).distinct()))


def allowed_placeholders(session: Session | None, name: str) -> tuple[str, ...]:
    """What template ``name`` may use: the profile's values, its shipped file's placeholders (the values
    its letters are built with), those a feature registered, and (where the shipped file is gone) those of
    its newest saved version."""
    if name == MINUTES:
        return tuple(sorted(minutes_template.MINUTES_PLACEHOLDERS))
    allowed = set(PROFILE_PLACEHOLDERS) | EXTRA_PLACEHOLDERS.get(name, set())
    if template_file(name).exists():
        allowed |= shipped_template(name).placeholders
    elif session is not None:
        stored = stored_version(session, name)
        if stored is not None and stored[2] is not None:
            allowed |= parse_template(name, stored[2]).placeholders
    return tuple(sorted(allowed))


def our_placeholder_names() -> set[str]:
    """Every placeholder name of our letters (the shipped files', the profile's, those features registered): a
    word in guillemets that is one of them is a mail-merge field pasted in (``«child»``), not a quotation."""
    names = set(PROFILE_PLACEHOLDERS)
    for extra in EXTRA_PLACEHOLDERS.values():
        names |= extra
    for shipped in _shipped_letter_names():
        names |= shipped_template(shipped).placeholders
    return names


def check_letter_text(session: Session | None, name: str, text: str) -> None:
    """Refuses a letter template that does not parse or uses a placeholder its letters cannot fill."""
    if not text.strip():
        raise ValidationError(f"Template {name}: the text is empty; write the letter or restore the shipped "
                              "version.", "template")
    if len(text) > MAX_LETTER_CHARS:
        raise ValidationError(f"Template {name}: longer than {MAX_LETTER_CHARS:,} characters.", "template")
    tpl = parse_template(name, text)
    allowed = allowed_placeholders(session, name)
    slips = brace_slips(text, allowed)
    if slips:
        seen: dict[str, tuple[str, int]] = {}
        for written, placeholder, line in slips:
            seen.setdefault(written, (placeholder, line))
        raise ValidationError(
            f"Template {name}: " + "; ".join(f"{w} (line {line}) is not a placeholder here: letters would print "
                                             f"it as written. Write ${{{n}}}"
                                             for w, (n, line) in seen.items())
            + ". Letter templates write a placeholder as ${name} (the minutes' Word template uses {name}).",
            "template")
    merged = merge_fields(text, our_placeholder_names() | set(allowed))
    if merged:
        raise ValidationError(
            f"Template {name}: " + "; ".join(f"{w} (line {line})" for w, line in dict(merged).items())
            + (" is a Word mail-merge field: letters would print it" if len(dict(merged)) == 1 else
               " are Word mail-merge fields: letters would print them")
            + " as written. Use the placeholders it may use, written ${name}: "
            + ", ".join("${" + a + "}" for a in allowed) + ".", "template")
    unknown = sorted(tpl.placeholders - set(allowed))
    if unknown:
        raise ValidationError(
            f"Template {name}: unknown placeholder {', '.join('${' + u + '}' for u in unknown)}. "
            f"Use only: {', '.join('${' + a + '}' for a in allowed_placeholders(session, name))}.", "template")


def check_minutes_docx(content: bytes) -> None:
    if len(content) > MAX_DOCX_BYTES:
        raise ValidationError("Minutes template: the file is larger than 10 MB.", "template")
    try:
        found, has_marker = minutes_template.docx_placeholders(content)
    except ValueError as exc:
        raise ValidationError(f"Minutes template: not a Word (.docx) file ({exc}). Save it from Word as "
                              "'Word Document (*.docx)' and import it again.", "template") from exc
    unknown = sorted(found - set(minutes_template.MINUTES_PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            f"Minutes template: unknown placeholder {', '.join('{' + u + '}' for u in unknown)}. Use only: "
            f"{', '.join('{' + a + '}' for a in minutes_template.MINUTES_PLACEHOLDERS)}.", "template")
    if not has_marker:
        raise ValidationError(f"Minutes template: a paragraph reading exactly {minutes_template.MARKER} is "
                              "missing; the minutes are written there. Add it at the end of the body.",
                              "template")


def _known(session: Session, name: str) -> str:
    if name == MINUTES:
        return "minutes"
    if name in _shipped_letter_names() or name in _stored_names(session):
        return "letter"
    raise ValidationError(f"No template called {name!r}.", "template")


def _info(session: Session, name: str) -> TemplateInfo:
    kind = _known(session, name)
    stored = stored_version(session, name)
    version, source = (0, "shipped") if stored is None else (stored[0], stored[1])
    shipped = minutes_template.template_path().exists() if kind == "minutes" else template_file(name).exists()
    return TemplateInfo(name, kind, version, source, version_label(name, version, source),
                        allowed_placeholders(session, name), shipped)


def list_templates(db: Database, actor: Principal) -> tuple[TemplateInfo, ...]:
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor, write=False) as session:
        names = sorted(_shipped_letter_names() | _stored_names(session) | {MINUTES})
        return tuple(_info(session, n) for n in names)


def template_info(db: Database, actor: Principal, name: str) -> TemplateInfo:
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor, write=False) as session:
        return _info(session, name)


def versions(db: Database, actor: Principal, name: str) -> tuple[VersionInfo, ...]:
    """Every saved version of ``name``, newest first."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor, write=False) as session:
        rows = session.scalars(select(TemplateVersion).where(TemplateVersion.name == name)
                               .order_by(TemplateVersion.version.desc()))
        return tuple(VersionInfo(r.version, r.source, r.note, r.created_at, r.created_by) for r in rows)


def letter_text(db: Database, actor: Principal, name: str, version: int | None = None) -> str:
    """The text of letter template ``name`` in use (or of saved ``version``) as an administrator edits it."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor, write=False) as session:
        if _known(session, name) != "letter":
            raise ValidationError(f"{name} is not a letter template.", "template")
        q = select(TemplateVersion).where(TemplateVersion.name == name)
        q = q.where(TemplateVersion.version == version) if version is not None else \
            q.order_by(TemplateVersion.version.desc())
        row = session.scalars(q.limit(1)).first()
        if row is not None and row.text is not None:
            return row.text
        if version is not None and row is None:
            raise ValidationError(f"Template {name} has no version {version}.", "template")
    path = template_file(name)
    if not path.exists():
        raise ValidationError(f"Template {name}: the shipped file {path} is missing.", "template")
    return path.read_text(encoding="utf-8")


def minutes_docx(db: Database, actor: Principal) -> bytes:
    """The minutes template in use, as a ``.docx`` (to export and edit in Word)."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor, write=False) as session:
        content, _label = minutes_template.stored_template(session)
    return content if content is not None else minutes_template.template_path().read_bytes()


def clean_note(note: str | None, label: str = "Note") -> str:
    """A version's note as kept: one line, no control characters, at most :data:`MAX_NOTE_CHARS`; a refusal
    begins with ``label`` (the field, or the command line's ``--note``, which checks it before anything)."""
    from adoption_desktop.core.text_input import clean_text

    return clean_text(note, label, max_length=MAX_NOTE_CHARS)


def _local_now(session: Session) -> dt.datetime:
    """When a template version is saved, as this table has always kept it: this PC's local time, naive; the
    moment is the server's in team mode (``record_now``), so versions saved on two PCs keep their order."""
    return local_time(record_now(session)).replace(tzinfo=None)

def _add_version(session: Session, actor: Principal, name: str, kind: str, source: str, *,
                 text: str | None = None, content: bytes | None = None, note: str = "",
                 expected_version: int | None = None) -> int:
    # the newest version row is read under a row lock (PostgreSQL; SQLite's write lock is the file's):
    # two administrators saving at once get versions n+1 and n+2, or, where both saw no version yet, the
    # unique (name, version) refuses the later one
    current = session.scalar(select(TemplateVersion.version).where(TemplateVersion.name == name)
                             .order_by(TemplateVersion.version.desc()).limit(1).with_for_update()) or 0
    if expected_version is not None and current != expected_version:
        raise StaleRecord(f"Template {name}: another administrator saved version {current} since you opened "
                          f"version {expected_version}; nothing was saved. Reload it and apply your change "
                          "again.", what=f"template {name}", your_version=expected_version)
    row = TemplateVersion(name=name, version=current + 1, kind=kind, source=source, text=text, content=content,
                          note=clean_note(note), created_at=_local_now(session),
                          created_by=actor.username)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise StaleRecord(f"Template {name}: another administrator saved a version at the same moment; "
                          "nothing of yours was saved. Reload it and apply your change again.",
                          what=f"template {name}", your_version=current) from exc
    audit.record(session, f"template_{source}", "template_versions", row.id,
                 detail=f"{version_label(name, row.version, source)}" + (f": {row.note}" if row.note else ""))
    return row.version


def save_letter_template(db: Database, actor: Principal, name: str, text: str, *,
                         expected_version: int | None = None, note: str = "", source: str = "edited") -> int:
    """Save ``text`` as the newest version of letter template ``name``; returns its version number."""
    require(actor, Permission.SETTINGS_MANAGE)
    text = text.replace("\r\n", "\n")
    with db.session(actor) as session:
        if _known(session, name) != "letter":
            raise ValidationError(f"{name} is not a letter template.", "template")
        check_letter_text(session, name, text)
        return _add_version(session, actor, name, "letter", source, text=text, note=note,
                            expected_version=expected_version)


def import_template(db: Database, actor: Principal, name: str, path: Path, *,
                    expected_version: int | None = None, note: str = "", file_label: str = "Import") -> int:
    """Import an edited file: a ``.txt`` letter template or the minutes ``.docx``. A file that cannot be read
    is refused with a message beginning with ``file_label`` (the command line's ``--file``)."""
    require(actor, Permission.SETTINGS_MANAGE)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{file_label}: cannot read {path} ({exc.strerror or exc}).", "path") from exc
    note = note or f"imported from {path.name}"[:MAX_NOTE_CHARS]
    if name == MINUTES:
        check_minutes_docx(data)
        with db.session(actor) as session:
            return _add_version(session, actor, name, "minutes", "imported", content=data, note=note,
                                expected_version=expected_version)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{file_label}: {path.name} is not UTF-8 text; in Notepad use Save As → Encoding "
                              "UTF-8.", "path") from exc
    return save_letter_template(db, actor, name, text, expected_version=expected_version, note=note,
                                source="imported")


def export_template(db: Database, actor: Principal, name: str, path: Path) -> Path:
    """Write the template in use to ``path`` (``.txt`` for a letter, ``.docx`` for the minutes)."""
    require(actor, Permission.SETTINGS_MANAGE)
    path = Path(path)
    data = minutes_docx(db, actor) if name == MINUTES else letter_text(db, actor, name).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with output_file(path) as tmp:
        tmp.write_bytes(data)
    return path


def restore_shipped(db: Database, actor: Principal, name: str, *, expected_version: int | None = None,
                    note: str = "") -> int:
    """Go back to the program's own file for ``name`` (a new version: the older ones stay), with ``note``
    (default: "restored the shipped version")."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor) as session:
        kind = _known(session, name)
        shipped = minutes_template.template_path() if kind == "minutes" else template_file(name)
        if not shipped.exists():
            raise ValidationError(f"Template {name}: this program has no shipped version of it ({shipped}).",
                                  "template")
        return _add_version(session, actor, name, kind, "shipped", note=note or "restored the shipped version",
                            expected_version=expected_version)


DEMO_VALUES: dict[str, str] = {
    "salutation": "Ms Example", "applicant_names": "Sam Example and Alex Sample", "names": "Sam Example",
    "child_name": "Child A", "child": "the child A.B.", "initials": "A.B.", "decision_date": "5 March 2026", "date": "5 March 2026",
    "panel_date": "12 March 2026", "reference": "DEMO/0001", "reply_by": "19 March 2026",
    "match_panel_months": "2 months", "match_panel_by": "5 May 2026",
    "identification_text": "Please bring photographic identification, such as a passport or driving licence.",
    "having_read": "Having read the panel's recommendation, its reasons and the minutes", "corrected_date": "",
}


def demo_values(names: Iterable[str]) -> dict[str, str]:
    """Synthetic values for a preview: known names get a plausible sample, others ``[name]``."""
    return {n: DEMO_VALUES.get(n, f"[{n.replace('_', ' ')}]") for n in names}


def preview_letter(db: Database, actor: Principal, name: str, path: Path, text: str | None = None) -> Path:
    """A one-page PDF of letter template ``name`` (or of unsaved ``text``) filled with demo data and the
    agency's letterhead."""
    require(actor, Permission.SETTINGS_MANAGE)
    from adoption_desktop.core.documents.letterhead import letterhead
    from adoption_desktop.core.documents.pdf import Letter, write_letters

    with db.session(actor, write=False) as session:
        if text is not None:
            check_letter_text(session, name, text)
            tpl = load_template(name, session=session)
            from dataclasses import replace

            tpl = replace(parse_template(name, current_wording(name, text)), defaults=tpl.defaults)
        else:
            tpl = load_template(name, session=session)
        area = name.split("_", 1)[0]
        head = letterhead(session, area if area in ("panel", "adm", "letterbox", "counselling") else None)
        rendered = tpl.render(demo_values(tpl.placeholders - set(tpl.defaults)))
        title = actor.full_name
        from adoption_desktop.core.security.models import User

        job = session.scalars(select(User.job_title).where(User.id == actor.user_id)).first() or ""
    letter = Letter(("Ms S Example", "1 Sample Road", "Exampletown", "ZZ99 9ZZ"), rendered, dt.date.today(),
                    "DEMO/0001", title, job)
    write_letters(Path(path), [letter], head, title=f"Preview of {name}")
    return Path(path)


#: a letter filled with the sample details that runs to more pages than this is pointed out when its
#: template is saved or imported (a reminder or a decision letter is one or two pages)
LONG_LETTER_PAGES = 2


def long_letter_warning(db: Database, actor: Principal, name: str) -> str:
    """A warning when a letter from template ``name`` (the version in use), filled with the preview's
    sample details, runs to more than :data:`LONG_LETTER_PAGES` pages; else "" (and for the minutes)."""
    require(actor, Permission.SETTINGS_MANAGE)
    if name == MINUTES:
        return ""
    from pypdf import PdfReader

    from adoption_desktop.core.files import scratch_folder

    with scratch_folder("adk-preview-") as tmp:
        pages = len(PdfReader(str(preview_letter(db, actor, name, tmp / "preview.pdf"))).pages)
    if pages <= LONG_LETTER_PAGES:
        return ""
    return (f"Filled with the preview's sample details, a letter from {name} runs to {pages} pages; every "
            f"letter sent from it will be at least that long. Check it with Preview.")


def placeholder_help(name: str) -> str:
    """One line per placeholder, for the editor's side panel."""
    return "\n".join(f"${{{p}}}" if name != MINUTES else f"{{{p}}}" for p in allowed_placeholders(None, name))


__all__ = ["TemplateInfo", "VersionInfo", "allowed_placeholders", "check_letter_text", "check_minutes_docx",
           "export_template", "import_template", "letter_text", "list_templates", "long_letter_warning",
           "minutes_docx",
           "placeholder_help", "preview_letter", "register_placeholders", "restore_shipped",
           "save_letter_template", "template_info", "versions"]
