"""ADM letters: values for the editable templates ``resources/templates/letters/adm_*.txt``, one letter
to PDF bytes (filed in the encrypted database) and the stored layout used again for batch printing.

The PDF is built in a private temporary folder that is removed at once; only the bytes are kept (in
the encrypted database), so no plaintext letter is left on disk.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest, AdmQualifyingDetermination
from adoption_desktop.core.documents.pdf import Letter, Letterhead, long_date, write_letters
from adoption_desktop.core.documents.templates import RenderedLetterText, load_template
from adoption_desktop.core.files import scratch_folder
from adoption_desktop.core.salutation import bare_salutation, salutation_from_lines
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.journey.rules import add_months

SIGNATORY_TITLE = "Agency Decision Maker"
OUTCOME_WORDS = {"agree": "Agreed with the panel's recommendation", "differ": "Decided differently from the "
                 "recommendation"}
#: the same for a decision made without panel (a plan for adoption, a type an administrator added): no panel met
DIRECT_OUTCOME_WORDS = {"agree": "Agreed with the recommendation in the papers",
                        "differ": "Decided differently from the recommendation in the papers"}


def _d(day: dt.date | None) -> str:
    return long_date(day) if day else "(not recorded)"


#: what a letter is about, in a family's words ("I am writing about ..."); ``{child}``: :func:`child_words`
ABOUT: dict[str, str] = {
    "approval": "your application to be approved as adopters",
    "match": "the proposed match of {child} with you",
    "relinquished": "the plan for {child}",
    "review": "the review of your approval as adopters",
    "termination": "your approval as adopters",
    "early_permanence": "your application to care for a child under early permanence",
    "plan_for_adoption": "the plan for {child}",
    "temporary_foster_approval": "your temporary approval as foster carers for {child}",
}

#: the decisions whose initials are the child's (or the children's): on a match they are the case's, and
#: may be the adopters' as well as the child's ("TY/DI")
CHILD_INITIALS_TYPES = frozenset({"relinquished", "plan_for_adoption", "temporary_foster_approval"})


def _dotted(group: str) -> str:
    """"TY" or "T.Y." → "T.Y."; "" when there is no letter."""
    return "".join(f"{c.upper()}." for c in group if c.isalpha())


def child_words(initials: str, decision_type: str) -> str:
    """The child as a letter names them in a sentence: "the child T.Y." (never "the child (TY/DI)").
    Several sets of initials are several children where the initials are the child's ("the children
    A.B. and C.D."); on a match they may include the adopters' own, and a wrong child's initials are worse
    than none: "the child" (the case reference is in the letter's subject and table)."""
    groups = [g for g in (_dotted(x) for x in initials.split("/")) if g]
    if len(groups) == 1:
        return f"the child {groups[0]}"
    if len(groups) > 1 and decision_type in CHILD_INITIALS_TYPES:
        return "the children " + ", ".join(groups[:-1]) + f" and {groups[-1]}"
    return "the child"


def _own_words(d: AdmDecision) -> str:
    """The ADM's decision text when it adds something of their own (conditions, an approval range);
    empty when it only repeats the panel's label or a sentence the letter already states."""
    from adoption_desktop.panel.rules import OUTCOMES as PANEL_LABELS

    text = d.decision_text.strip()
    if rules.OLD_FINAL_PLACEHOLDER.fullmatch(text):
        return ""
    generated = {*PANEL_LABELS.values(), d.recommendation_text.strip(),
                 *rules.all_decision_sentences(d.decision_type, d.recommendation)}
    return "" if text.rstrip(".").lower() in {g.rstrip(".").lower() for g in generated if g} else text


_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def advice_words(advice: str) -> str:
    """The panel's advice as stored ("number of children: 1; age range: 0-2 years; sex: either") in a
    family's words ("one child, aged 0 to 2 years, of either sex."); text in another form is kept, with a full
    stop (a trial's letter read "The panel's advice was: number of children: 1; age range: …; sex: either")."""
    text = advice.strip()
    fields: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition(":")
        if not sep or key.strip() not in ("number of children", "age range", "sex", "needs and background"):
            return text if text.endswith((".", "!", "?")) else text + "."
        fields[key.strip()] = value.strip()
    words = []
    if (n := fields.get("number of children", "")).isdigit():
        words.append(f"{_NUMBER_WORDS.get(int(n), n)} {'child' if int(n) == 1 else 'children'}")
    elif n:
        words.append(f"{n} children")
    if age := fields.get("age range", ""):
        words.append("aged " + re.sub(r"(?<=\d)\s*[-–]\s*(?=\d)", " to ", age))
    if sex := fields.get("sex", ""):
        words.append(f"of {sex} sex" if sex.lower() in ("either", "any") else sex)
    out = ", ".join(words)
    if needs := fields.get("needs and background", ""):
        out = (out + "; " if out else "") + f"needs and background: {needs.rstrip('.')}"
    out = out[:1].upper() + out[1:] if out and not words else out
    return out + "." if out else ""


def _advice_paragraph(d: AdmDecision, own: str) -> str:
    """The panel's advice (number of children, age range): accepted in so many words only when the ADM
    agreed and wrote nothing of their own; an approval on other terms (the ADM's own words above it) or a
    different decision reports the advice as the panel's, so the letter does not contradict itself."""
    advice = d.advice.strip()
    if not advice:
        return ""
    if d.outcome == rules.OUTCOME_AGREE and not own:
        return f"The panel's advice, which I accept, is: {advice_words(advice)}"
    return f"The panel's advice was: {advice_words(advice)}"


def letter_values(d: AdmDecision, type_label: str, day: dt.date, *, qd: AdmQualifyingDetermination | None,
                  info: AdmInfoRequest | None, written_wd: int, cal: WorkingCalendar,
                  reply_wd: int = 10, panel_months: int = 2,
                  first_decided_on: dt.date | None = None) -> dict[str, object]:
    """Every placeholder of the ADM templates. The decision sentence comes from what the ADM decided
    (``rules.decision_sentence``), never from the panel's outcome label; the ADM's own words follow it
    when they add something. ``panel_months``: the agency's target for a child's match to reach panel
    after the plan (setting ``journey.plan_to_panel_months``, as its reports measure it).
    ``first_decided_on``: for a correction, the date of the decision it corrects (its first signed version): a
    correction is the same decision, made on that date and corrected on ``day`` (a trial's corrected letter
    said "I made my decision on" the day of the correction)."""
    reasons = d.decision_reasons.strip()
    decided = first_decided_on or d.decided_on or day
    qd_history = ""
    if qd is not None:
        parts = []
        if qd.representations_on:
            # the applicants' own representations, not the staff's note of them ("The applicants say the
            # assessor…" was printed in a letter to those applicants)
            parts.append(f"We received your representations on {long_date(qd.representations_on)}, and I have "
                         "considered them.")
        if qd.irm_applied_on:
            parts.append(f"You applied to the Independent Review Mechanism on {long_date(qd.irm_applied_on)}.")
        if qd.irm_recommendation_on:
            parts.append(f"The independent review panel's recommendation, received on "
                         f"{long_date(qd.irm_recommendation_on)}, was: {qd.irm_recommendation}")
        if not parts:
            parts.append(f"We did not receive representations or an IRM application by {long_date(qd.deadline)}.")
        qd_history = " ".join(parts)
    initials = d.subject_initials or "initials not recorded"
    child = child_words(d.subject_initials, d.decision_type)
    about = ABOUT.get(d.decision_type, type_label[:1].lower() + type_label[1:]).format(child=child)
    panel_sentence = (f"The adoption panel met on {_d(d.sitting_date)} and "
                      f"{rules.recommendation_sentence(d.recommendation, d.recommendation_text)}.")
    rec_sentence = (panel_sentence if d.source != "direct" else
                    f"I have considered the papers I received on {_d(d.received_on)}.")
    own = terms = _own_words(d)  # ``terms``: whether the ADM wrote terms of their own (the advice then "was")
    sentence = rules.decision_sentence(d.decision_type, d.recommendation, d.outcome, d.source)
    stem = sentence.split(" that ", 1)[0] + " that "
    if own and own.casefold().startswith(stem.casefold()):
        # the ADM's own sentence says the decision ("I have decided that you are suitable to adopt up to two
        # children aged 0 to 4."): it takes the place of the general one, not a second sentence after it
        sentence, own = own, ""
    addressee = [ln.strip() for ln in d.addressee.splitlines() if ln.strip()]
    return {
        "salutation": bare_salutation(d.salutation) or salutation_from_lines(addressee) or "Sir or Madam",
        "about": about,
        "panel_sentence": panel_sentence,
        "decision_sentence": sentence,
        "proposal_subject": rules.proposal_subject(d.decision_type),
        "proposal_words": rules.proposal_words(d.decision_type),
        "decision_details_paragraph": own,
        "reply_by": long_date(cal.add_working_days(day, max(1, reply_wd))),
        "reference": d.subject_reference,
        "initials": initials,
        "child": child,
        "type_label": type_label,
        "type_label_lower": type_label[:1].lower() + type_label[1:],
        "panel_date": _d(d.sitting_date),
        "received_date": _d(d.received_on),
        "recommendation_text": d.recommendation_text or "(no recommendation recorded)",
        "recommendation_sentence": rec_sentence,
        "decision_date": _d(decided),
        "corrected_date": long_date(day) if d.version > 1 else "",
        "decision_text": d.decision_text,
        "reasons": reasons or "(none given)",
        "reasons_paragraph": f"My reasons are: {reasons}" if reasons else "",
        "advice_paragraph": _advice_paragraph(d, terms),
        "panel_reasons_paragraph": ("" if not d.recommendation_reasons.strip() else
                                    f"The reasons given in the papers were: {d.recommendation_reasons}"
                                    if d.source == "direct" else
                                    f"The panel's reasons for its recommendation were: {d.recommendation_reasons}"),
        # no panel met on a decision without panel (a trial's reg 25A letter spoke of "the panel's recommendation")
        "having_read": ("Having read the papers and the reasons given in them" if d.source == "direct" else
                        "Having read the panel's recommendation, its reasons and the minutes"),
        "deadline": _d(qd.deadline) if qd else "",
        "notice_date": _d(qd.notice_sent_on) if qd else "",
        "qd_history": qd_history,
        "what": info.what if info else "",
        "request_date": _d(info.requested_on) if info else "",
        "written_due": _d(cal.add_working_days(d.decided_on, written_wd)) if d.decided_on else "",
        "match_panel_months": f"{panel_months} month{'s' if panel_months != 1 else ''}",
        "match_panel_by": long_date(add_months(decided, panel_months)),
    }


def _to_social_worker(d: AdmDecision, kind: str) -> bool:
    """Whether the letter goes to the child's social worker (a plan agreed, or a decision without panel with
    a social worker and no one else to write to)."""
    return rules.letter_to_social_worker(d.decision_type, d.source, kind, d.social_worker, d.addressee)


def _recipient(d: AdmDecision, kind: str) -> list[str]:
    """The address block. "The applicants (address on file)" is left only for a letter filed while the
    decision is unsigned (a request for more information, asked before anyone typed Letter to): a signed
    decision's letter always has someone to go to, as signing refuses otherwise
    (``rules.letter_addressee_problem``)."""
    if _to_social_worker(d, kind):
        lines = [d.social_worker or "The child's social worker", "Children's Services"]
    else:
        lines = [ln for ln in d.addressee.splitlines() if ln.strip()] or ["The applicants", "(address on file)"]
    return lines


def _extra(d: AdmDecision, kind: str, qd: dict[str, str] | None = None,
           values: dict[str, object] | None = None) -> list[tuple[str, str]]:
    values = values or {}
    rows = [("Case reference", d.subject_reference)]
    if kind != "adm_more_information":
        words = DIRECT_OUTCOME_WORDS if d.source == "direct" else OUTCOME_WORDS
        rows.append(("Decision", rules.decision_row(d.decision_type, d.outcome, d.source, words["agree"],
                                                    words["differ"])))
        rows.append(("Date of decision", str(values.get("decision_date") or _d(d.decided_on))))
    if d.version > 1:
        corrected = f", corrected on {values['corrected_date']}" if values.get("corrected_date") else ""
        rows.append(("Corrected version", f"version {d.version}{corrected}: {d.correction_reason}"))
    if qd and kind == "adm_qd_notice":
        rows.append(("Representations or IRM by", qd["deadline"]))
    return rows


#: a full stop straight after an initial's ("the plan for the child T.Y." + ".")
_DOUBLE_STOP = re.compile(r"(?<=\b[A-Z]\.)\.(?!\.)")


def one_full_stop(text: str) -> str:
    """A sentence that ends with initials takes one full stop: "... for the child T.Y.." → "... T.Y."
    (the template's own stop after ``${child}`` or ``${about}``); an ellipsis is left alone."""
    return _DOUBLE_STOP.sub("", text)


def build_letter(kind: str, values: dict[str, object], d: AdmDecision, day: dt.date, signatory: str,
                 signatory_title: str = "") -> Letter:
    if _to_social_worker(d, kind):  # greeted by their own name: never the "Letter to" person's (ADM trial)
        worker = [d.social_worker] if d.social_worker else []
        values = {**values, "salutation": salutation_from_lines(worker) or "Sir or Madam"}
    text = load_template(kind).render(values)
    text = RenderedLetterText(one_full_stop(text.subject), text.salutation,
                              tuple((one_full_stop(p) if isinstance(p, str) else tuple(one_full_stop(x) for x in p))
                                    for p in text.paragraphs if not isinstance(p, str) or p.strip()),
                              text.closing)
    qd = {"deadline": str(values["deadline"])} if values.get("deadline") else None
    return Letter(recipient=tuple(_recipient(d, kind)), text=text, date=day, reference=d.subject_reference,
                  signatory=signatory, signatory_title=signatory_title or SIGNATORY_TITLE, extra=tuple(_extra(d, kind, qd, values)),
                  keep_table_together=True)  # the decision's summary (case, decision, date, deadline) read as one


def letter_to_content(letter: Letter) -> str:
    t = letter.text
    return json.dumps({
        "recipient": list(letter.recipient), "date": letter.date.isoformat(), "reference": letter.reference,
        "signatory": letter.signatory, "signatory_title": letter.signatory_title,
        "extra": [list(x) for x in letter.extra],
        "subject": t.subject, "salutation": t.salutation, "closing": t.closing,
        "paragraphs": [list(p) if isinstance(p, tuple) else p for p in t.paragraphs],
    }, ensure_ascii=False)


def letter_from_content(content: str) -> Letter:
    c = json.loads(content)
    paras: tuple[str | tuple[str, ...], ...] = tuple(tuple(p) if isinstance(p, list) else p
                                                    for p in c["paragraphs"])
    return Letter(recipient=tuple(c["recipient"]),
                  text=RenderedLetterText(c["subject"], c["salutation"], paras, c["closing"]),
                  date=dt.date.fromisoformat(c["date"]), reference=c["reference"], signatory=c["signatory"],
                  signatory_title=c["signatory_title"], extra=tuple((k, v) for k, v in c["extra"]),
                  keep_table_together=True)  # as build_letter: a stored layout printed again keeps it whole


def letters_to_pdf_bytes(letters: list[Letter], head: Letterhead, title: str) -> bytes:
    # a private folder, swept by the next export if this one is killed before it removes it (a plain PDF
    # of a letter whose stored copy is encrypted must not stay in the temporary folder)
    with scratch_folder("adk-adm-") as tmp:
        path = tmp / "letter.pdf"
        write_letters(path, letters, head, title=title)
        return path.read_bytes()


def build_letter_pdf(kind: str, values: dict[str, object], d: AdmDecision, day: dt.date, head: Letterhead,
                     signatory: str, signatory_title: str = "") -> tuple[bytes, str, str]:
    """(PDF bytes, stored layout, recipient summary) of one letter (``signatory_title``: the signer's job
    title from their user record; the decision maker's title when they have none)."""
    letter = build_letter(kind, values, d, day, signatory, signatory_title)
    pdf = letters_to_pdf_bytes([letter], head, f"{kind} {d.subject_reference}")
    return pdf, letter_to_content(letter), ", ".join(letter.recipient)
