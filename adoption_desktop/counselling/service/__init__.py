"""Use cases of birth-records counselling. One transaction each, permission checked first, audited.

Access: case records (anything that carries a name) need ``COUNSELLING_VIEW`` (counsellors and
administrators); changes need ``COUNSELLING_EDIT``. Other roles with ``REPORTS_VIEW`` get
:func:`counts` only. Every opening of a case writes a ``view`` audit entry; every disclosure is a
:class:`~adoption_desktop.counselling.models.Disclosure` row plus a ``disclose`` audit entry.

Modules (every name is re-exported here, so ``service.open_case`` and
``from adoption_desktop.counselling.service import CaseDetail`` work as before):

* :mod:`.data` — the choice lists (``ROUTES``, ``OUTCOMES``, …), ``ENTITY`` and the plain data taken
  from and returned to callers (``ReferralInput``, ``CaseRow``, ``CaseDetail``, …);
* :mod:`.common` — helpers shared by the use cases: reading and locking a case, checking input, a case's
  detail, recording a disclosure;
* :mod:`.case_counts` — :func:`counts` (numbers only, for any role with reports or counselling access);
* :mod:`.lists` — :func:`caseload` (waiting-list priority order) and :func:`counsellors`;
* :mod:`.cases` — referral, opening, finding by reference, allocation, checks, closure;
* :mod:`.records_requests` — records requests: add, chase, receipt;
* :mod:`.file_work` — sessions, redaction checks, disclosures;
* :mod:`.letters` — ``LETTER_KINDS``, ``LetterData`` and :func:`letter_data` for ``documents.py``.

A module-level name is read where it is defined: a test that patches one patches that submodule.
"""

from adoption_desktop.counselling.service.case_counts import counts
from adoption_desktop.counselling.service.cases import (
    allocate,
    case_id_for_reference,
    check_referral,
    close_case,
    closing_problems,
    correct_allocation,
    create_referral,
    open_case,
    record_checks,
    same_applicant,
    update_referral,
)
from adoption_desktop.counselling.service.common import _add_disclosure as _add_disclosure
from adoption_desktop.counselling.service.common import _case as _case
from adoption_desktop.counselling.service.common import _case_values as _case_values
from adoption_desktop.counselling.service.common import _choice as _choice
from adoption_desktop.counselling.service.common import _detail as _detail
from adoption_desktop.counselling.service.common import _names as _names
from adoption_desktop.counselling.service.common import _not_future as _not_future
from adoption_desktop.counselling.service.common import _open_case_for_edit as _open_case_for_edit
from adoption_desktop.counselling.service.common import _referral_of as _referral_of
from adoption_desktop.counselling.service.common import _request_row as _request_row
from adoption_desktop.counselling.service.common import _text as _text
from adoption_desktop.counselling.service.common import _today as _today
from adoption_desktop.counselling.service.common import _validate_referral as _validate_referral
from adoption_desktop.counselling.service.common import checks_values
from adoption_desktop.counselling.service.data import (
    BEFORE_1975_ANSWERS,
    CONTACT,
    ENTITY,
    FILTERS,
    FORMATS,
    HOLDERS,
    OPENED_IN_ERROR,
    OUTCOMES,
    ROUTE_PHRASES,
    ROUTES,
    SESSION_KINDS,
    SESSION_OUTCOMES,
    CaseCounts,
    CaseDetail,
    CaseRow,
    ClosingProblems,
    Counsellor,
    DisclosureRow,
    RedactionRow,
    ReferralInput,
    RequestInput,
    RequestRow,
    SameApplicant,
    SessionRow,
    same_applicant_question,
)
from adoption_desktop.counselling.service.file_work import (
    OutcomeChange,
    add_redaction,
    add_session,
    record_disclosure,
    remove_session,
    set_session_outcome,
)
from adoption_desktop.counselling.service.letters import (
    LETTER_KINDS,
    LetterData,
    allocation_text,
    closed_letter_reason,
    letter_data,
)
from adoption_desktop.counselling.service.letters import _letter_values as _letter_values
from adoption_desktop.counselling.service.lists import _overdue_expr as _overdue_expr
from adoption_desktop.counselling.service.lists import caseload, counsellors
from adoption_desktop.counselling.service.records_requests import (
    ChaseRecorded,
    ChaseState,
    add_request,
    chase_state,
    record_chase,
    record_receipt,
    remove_request,
    restore_chase,
)
from adoption_desktop.counselling.service.records_requests import _request as _request

__all__ = [
    "BEFORE_1975_ANSWERS",
    "CONTACT",
    "ENTITY",
    "FILTERS",
    "FORMATS",
    "HOLDERS",
    "LETTER_KINDS",
    "OPENED_IN_ERROR",
    "OUTCOMES",
    "ROUTES",
    "ROUTE_PHRASES",
    "SESSION_KINDS",
    "SESSION_OUTCOMES",
    "CaseCounts",
    "CaseDetail",
    "CaseRow",
    "ChaseRecorded",
    "ChaseState",
    "ClosingProblems",
    "Counsellor",
    "DisclosureRow",
    "LetterData",
    "OutcomeChange",
    "RedactionRow",
    "ReferralInput",
    "RequestInput",
    "RequestRow",
    "SameApplicant",
    "SessionRow",
    "add_redaction",
    "add_request",
    "add_session",
    "allocate",
    "allocation_text",
    "case_id_for_reference",
    "caseload",
    "chase_state",
    "check_referral",
    "checks_values",
    "close_case",
    "closed_letter_reason",
    "closing_problems",
    "correct_allocation",
    "counsellors",
    "counts",
    "create_referral",
    "letter_data",
    "open_case",
    "record_chase",
    "record_checks",
    "record_disclosure",
    "record_receipt",
    "remove_request",
    "remove_session",
    "restore_chase",
    "same_applicant",
    "same_applicant_question",
    "set_session_outcome",
    "update_referral",
]
