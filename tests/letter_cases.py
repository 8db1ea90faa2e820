"""Every letter kind × outcome, built the way the application builds it, for the wording tests and the
gallery (``ADK_LETTER_GALLERY=DIR pytest tests/test_letter_wording.py`` writes one PDF per kind to DIR).
Synthetic names only.

Each case is ``(name, letters, expect)``: the letters of that kind as :class:`pdf.Letter` objects and the
texts a reader must find (salutation, decision sentence, reply-by date). ADM letters come from the pure
value builders; letterbox, counselling and panel letters go through their services on a real database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adoption_desktop.adm import rules as adm_rules
from adoption_desktop.adm.documents import build_letter, letter_values
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest, AdmQualifyingDetermination
from adoption_desktop.core.documents.pdf import Letter, Letterhead
from adoption_desktop.core.workdays import WorkingCalendar

DAY = dt.date(2026, 12, 1)  # the letters' date
REPLY_BY = "15 December 2026"  # 10 working days after DAY
HEAD = Letterhead("Example Regional Adoption Agency", "1 Example Street\nExampletown\nZZ99 1AA",
                  team_name="Adoption Support Team", telephone="01632 960 100",
                  email="adoption@example.org", website="www.example.org/adoption",
                  data_protection="How we use your information: www.example.org/privacy")


@dataclass
class Case:
    name: str
    letters: list[Letter]
    expect: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # texts that must not appear (labels, codes)


PANEL_DATE = dt.date(2026, 11, 12)


def _decision(decision_type: str, recommendation: str, outcome: str, **kw: Any) -> AdmDecision:
    from adoption_desktop.panel.rules import OUTCOMES

    d = AdmDecision(
        id=1, version=1, decision_type=decision_type, source=kw.pop("source", "panel"), state="signed",
        sitting_date=PANEL_DATE, subject_reference="AD-2026-0142", subject_initials="R.T.",
        recommendation=recommendation, recommendation_text=OUTCOMES.get(recommendation, ""),
        recommendation_reasons="The panel found the assessment thorough.", advice="", received_on=PANEL_DATE,
        addressee="Mr Will Heronmere\nMrs Ada Heronmere\n4 Larch Close\nDellmouth\nZZ99 4EG", salutation="",
        social_worker="Pat Reed", outcome=outcome,
        decision_text=adm_rules.decision_sentence(decision_type, recommendation, adm_rules.OUTCOME_AGREE),
        decision_reasons="I have read the assessment and the panel's minutes.", decided_on=DAY,
        correction_reason="")
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def _adm_letter(d: AdmDecision, *, qd: AdmQualifyingDetermination | None = None,
                info: AdmInfoRequest | None = None, kind: str | None = None, on: dt.date = DAY) -> Letter:
    kind = kind or adm_rules.letter_kind(d.decision_type, d.source, d.outcome, d.recommendation)
    values = letter_values(d, adm_rules.type_label(d.decision_type), on, qd=qd, info=info, written_wd=5,
                           cal=WorkingCalendar(), reply_wd=10)
    return build_letter(kind, values, d, on, "Jordan Ash")


def adm_cases() -> list[Case]:
    """ADM: agree / differ × each recommendation of each type, proposals not to approve (QD notice), final
    decisions after representations, a corrected version, a request for more information and a plan for
    adoption decided without panel."""
    from adoption_desktop.panel.rules import CASE_OUTCOMES, OUTCOMES

    cases: list[Case] = []
    salutation = "Dear Mr and Mrs Heronmere,"  # none stored: titles + surname of the addressee's name lines
    # QD notice with the 40-working-day deadline; final decision after representations (both ways)
    qd = AdmQualifyingDetermination(id=1, decision_id=1, notice_sent_on=DAY, deadline=dt.date(2027, 1, 29),
                                    representations_on=dt.date(2027, 1, 10),
                                    representations="We have completed the course the panel asked about.",
                                    irm_applied_on=None, irm_recommendation_on=None, irm_recommendation="")
    for decision_type, recs in CASE_OUTCOMES.items():
        if decision_type not in adm_rules.RESULT_CODES:
            continue
        for rec in recs:
            if rec == "deferred":
                continue
            outcomes = [adm_rules.OUTCOME_AGREE, adm_rules.OUTCOME_DIFFER]
            if decision_type in adm_rules.QD_TYPES:
                outcomes.append(adm_rules.OUTCOME_NOT_APPROVE)
            for outcome in outcomes:
                if adm_rules.check_outcome(decision_type, rec, outcome, "x", "Reasons given here.") != []:
                    continue
                d = _decision(decision_type, rec, outcome)
                sentence = adm_rules.decision_sentence(decision_type, rec, outcome)
                notice = outcome == adm_rules.OUTCOME_NOT_APPROVE
                cases.append(Case(f"adm {decision_type} {rec} {outcome}", [_adm_letter(d, qd=qd if notice else None)],
                                  [salutation, sentence, *(["until 29 January 2027"] if notice else [])],
                                  [f"recommended: {OUTCOMES[rec]}", "decision: " + OUTCOMES[rec], "until ,"]))
    for outcome, expected in ((adm_rules.OUTCOME_NOT_APPROVE, "My final decision is that you are not suitable"),
                              (adm_rules.OUTCOME_DIFFER, "My final decision is that you are suitable")):
        # decided after the representations came and the 40 working days ended (not before them)
        final_day = dt.date(2027, 2, 1)
        d = _decision("approval", "not_suitable", outcome, source="qd_final", decided_on=final_day)
        cases.append(Case(f"adm final decision {outcome}", [_adm_letter(d, qd=qd, on=final_day)],
                          [salutation, expected, "We received your representations on 10 January 2027",
                           "I made my final decision on 1 February 2027"]))
    # a corrected version (version 2) names the correction in its table
    d = _decision("approval", "suitable", adm_rules.OUTCOME_AGREE, version=2,
                  correction_reason="The approval range was wrong in version 1.",
                  decision_text="Approved for up to two children aged 0 to 4.")
    cases.append(Case("adm correction", [_adm_letter(d)],
                      [salutation, "I have decided that you are suitable to adopt a child.",
                       "Approved for up to two children aged 0 to 4.", "The approval range was wrong in version 1."]))
    # more information, with a reply-by date
    info = AdmInfoRequest(id=1, decision_id=1, requested_on=DAY, what="The updated medical report.")
    d = _decision("approval", "suitable", "", decided_on=None, salutation="Ada and Will")
    cases.append(Case("adm more information", [_adm_letter(d, info=info, kind="adm_more_information")],
                      ["Dear Ada and Will,", "The updated medical report.", REPLY_BY]))
    # a plan for adoption, decided without panel, to the child's social worker
    d = _decision("plan_for_adoption", "should_be_placed", adm_rules.OUTCOME_AGREE, source="direct",
                  addressee="", salutation="Pat Reed")
    cases.append(Case("adm plan for adoption", [_adm_letter(d)],
                      ["Dear Pat Reed,", "I have decided that the child should be placed for adoption."]))
    return cases


def letterbox_cases(db: Any, user: Any, tmp: Path) -> list[Case]:
    """Letterbox: reminder, chaser, acknowledgement, held on file, returned item, annual confirmation and
    review invitation, through ``write_batch`` (letters collected as written)."""
    from adoption_desktop.letterbox import documents, rules, service
    from tests.letterbox.conftest import sample_input

    aid = service.create_arrangement(db, user, sample_input(
        reference="LB-0042", adopters_salutation="Sam and Alex",
        participants=(service.ParticipantData("Gina Quillfield", "birth mother", "3 Moss Row\nGreystow\nZZ99 7QT",
                                              salutation="Mrs Quillfield"),)))
    from_birth = service.log_item(db, user, aid, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 11, 20),
                                  writer="Gina Quillfield", item_type="card")
    service.screen_item(db, user, from_birth, "Our number is 07700 900123")
    service.record_outcome(db, user, from_birth, "returned", dt.date(2026, 11, 24),
                           reason="Please leave out your telephone number.")
    from_adopters = service.log_item(db, user, aid, direction=rules.TO_BIRTH, received_on=dt.date(2026, 11, 18),
                                     writer="Sam Thornley", item_type="photo")
    service.screen_item(db, user, from_adopters, "Rosa loves swimming.")
    service.record_outcome(db, user, from_adopters, "held", dt.date(2026, 11, 19))
    captured: list[Letter] = []
    real = documents.write_letters

    def capture(path: Path, letters: Any, head: Any, **kw: Any) -> int:
        batch = list(letters)
        captured.extend(batch)
        return real(path, batch, head, **kw)

    documents.write_letters = capture  # type: ignore[assignment]
    try:
        out: list[Case] = []
        for name, kind, kw, expect in (
                # printed ahead: by the exchange's due date (1 March), not ten working days from the letter
                ("letterbox reminder", "reminder", {"month": "2027-03"}, ["Dear Sam and Alex,", "by 1 March 2027",
                                                                          "due in March 2027"]),
                # the adopters' photo of 18 November came too late for September's exchange (the birth mother's card of
                # 20 November answered October's): the adopters are the late writers, as on the work list
                ("letterbox chaser", "chaser", {"arrangement_ids": [aid]}, ["Dear Sam and Alex,", REPLY_BY, "which was due on 1 September 2026"]),
                ("letterbox returned item", "returned", {"item_ids": [from_birth]},
                 ["Dear Mrs Quillfield,", REPLY_BY, "leave out your telephone number", "your card"]),
                # the card was returned for changes: its acknowledgement promises nothing more
                ("letterbox acknowledgement", "acknowledgement", {"item_ids": [from_birth]},
                 ["Dear Mrs Quillfield,", "We have written to you separately about the changes it needs"]),
                ("letterbox held on file", "acknowledgement", {"item_ids": [from_adopters]},
                 ["Dear Sam and Alex,", "kept safely on file for now", "your photographs"]),
                ("letterbox confirmation", "confirmation", {"arrangement_ids": [aid]}, ["Dear Sam and Alex,", "As agreed, the exchange takes place in"]),
                ("letterbox review", "review", {"arrangement_ids": [aid]}, ["Dear Mrs Quillfield,", REPLY_BY])):
            captured.clear()
            result = documents.write_batch(db, user, kind, tmp / f"lb-{kind}.pdf", today=DAY, **kw)
            assert result.letters >= 1, name
            out.append(Case(name, list(captured), expect, ["Dear Gina Quillfield", "Dear Sam and Alex Thornley"]))
        return out
    finally:
        documents.write_letters = real  # type: ignore[assignment]


def counselling_cases(db: Any, user: Any) -> list[Case]:
    """Counselling: acknowledgement, appointment, records request, chaser, records ready."""
    from adoption_desktop.counselling import documents, service
    from tests.counselling.conftest import referral

    case_id = service.create_referral(db, user, referral(salutation="Ms Lark", referral_date=dt.date(2026, 11, 2)),
                                      today=DAY)
    req = service.add_request(db, user, case_id, service.RequestInput(
        "archive", "Brackwater County Archives", dt.date(2026, 11, 3), their_reference="BCA/9981",
        holder_address="Records Section\nBrackwater\nZZ99 2CD"), today=DAY)
    service.add_session(db, user, case_id, dt.date(2026, 12, 14), "video", "10:30", "")
    out: list[Case] = []
    for kind, expect in (
            ("acknowledgement", ["Dear Ms Lark,", "through the General Register Office application form"]),
            ("appointment", ["Dear Ms Lark,", "We will meet by video link", "by 10 December 2026"]),
            ("records-request", ["Dear Records Officer,", "Yours faithfully", REPLY_BY]),
            ("chaser", ["Dear Records Officer,", "3 November 2026", REPLY_BY])):
        data = service.letter_data(db, user, case_id, kind, today=DAY)
        out.append(Case(f"counselling {kind}", [documents.build_letter(data, DAY)], expect,
                        ["gro application form", "(gro", "at by video link", "Dear Amy Lark"]))
    service.record_receipt(db, user, req, dt.date(2026, 11, 27), "electronic", 37, today=DAY)
    service.add_redaction(db, user, case_id, "Archive file", dt.date(2026, 11, 27), today=DAY)  # the check it states
    data = service.letter_data(db, user, case_id, "records-ready", today=DAY)
    out.append(Case("counselling records-ready", [documents.build_letter(data, DAY)],
                    ["Dear Ms Lark,", "37 pages of electronic records", REPLY_BY]))
    return out


def panel_cases(p: Any) -> list[Case]:
    """Panel invitations (``p``: the ``tests.panel.conftest.Panel`` fixture)."""
    from adoption_desktop.panel import service as svc
    from adoption_desktop.panel.documents import invitation_letters

    # invitations are for a sitting still to come: one in January, well after the letters' date, listing
    # who is expected there as the window does (nobody's attendance is marked before the day)
    later = svc.schedule_sittings(p.db, p.clerk, svc.SittingInput(dt.date(2027, 1, 12), "10:00", "13:00",
                                                                  "Room 2, Civic Centre, Ambleford ZZ99 1AB"))[0]
    for n, case_type in enumerate(("approval", "match")):
        svc.add_item(p.db, p.clerk, later, svc.ItemInput(case_type, f"AD-2026-02{n}", "XY", "Jay Quillby",
                                                         f"1{n}:00"))
    pack = svc.minutes_pack(p.db, p.clerk, later, today=DAY)
    expected = [a for a in svc.sitting_detail(p.db, p.clerk, later, today=DAY).attendance if a.on_list]
    letters = invitation_letters(pack, "Morgan Vale", today=DAY, reply_by=dt.date(2026, 12, 15), expected=expected)
    return [Case("panel invitation", letters, ["Dear prospective adopters,", "application to adopt", REPLY_BY],
                 ["Your approval of prospective adopters"])]


def every_case(db: Any, letterbox_user: Any, counsellor: Any, panel: Any, tmp: Path) -> list[Case]:
    return [*adm_cases(), *letterbox_cases(db, letterbox_user, tmp), *counselling_cases(db, counsellor),
            *panel_cases(panel)]
