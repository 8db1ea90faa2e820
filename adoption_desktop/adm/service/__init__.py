"""ADM use cases: one transaction each, permission checked first, audited; plain data out.

Signed is final: no function here updates a signed decision (and ``models._signed_is_final`` refuses
it at flush time for any other path). A correction is a new, signed version linked to the old one.

Modules (every name is re-exported here, so ``service.sign_decision`` and
``from adoption_desktop.adm.service import DecisionRow`` work as before):

* :mod:`.data` — the plain data returned to views and the CLI (``DecisionRow``, ``DecisionDetail``,
  ``LetterView``, ``SignResult``, …);
* :mod:`.common` — ``ENTITY`` and the helpers the use cases share: a decision read, or locked for a
  change (``_get``, ``_for_change``, ``_refuse_if_signed``), its clock (``_recompute_due``), a queue row,
  a new decision, a letter's view, and who may decide (``_check_signer``, ``_name_warning``);
* :mod:`.panel_handoff` — :func:`open_decision_from_panel`: an approved panel item becomes a pending
  decision, in the panel's transaction;
* :mod:`.type_catalogue` — the decision types, built-in and administrator-defined;
* :mod:`.queue_and_detail` — :func:`list_queue` and :func:`get_decision`;
* :mod:`.without_panel` — :func:`open_direct_decision` and :func:`set_letter_details`;
* :mod:`.deciding` — the draft decision, asking for and logging more information, :func:`lateness`,
  :func:`check_signable`, :func:`sign_decision`, :func:`correct_decision`;
* :mod:`.qualifying_determination` — representations, the IRM application and recommendation, the
  final decision;
* :mod:`.letters` — filing, opening and saving letters, :func:`decision_id_for`, the date sent, the oral
  notification, a day's letters in one PDF.

A module-level name is read where it is defined: a test that patches one patches that submodule (the
panel imports ``open_decision_from_panel`` from this package when it calls it, so that one is patched here).
"""

from adoption_desktop.adm.service.common import ENTITY
from adoption_desktop.adm.service.common import _check_signer as _check_signer
from adoption_desktop.adm.service.common import _conflict_message as _conflict_message
from adoption_desktop.adm.service.common import _decision_values as _decision_values
from adoption_desktop.adm.service.common import _extra_types as _extra_types
from adoption_desktop.adm.service.common import _for_change as _for_change
from adoption_desktop.adm.service.common import _get as _get
from adoption_desktop.adm.service.common import _letter_view as _letter_view
from adoption_desktop.adm.service.common import _name_warning as _name_warning
from adoption_desktop.adm.service.common import _new_decision as _new_decision
from adoption_desktop.adm.service.common import _pauses as _pauses
from adoption_desktop.adm.service.common import _recompute_due as _recompute_due
from adoption_desktop.adm.service.common import _refuse_if_signed as _refuse_if_signed
from adoption_desktop.adm.service.common import _require_as_saved as _require_as_saved
from adoption_desktop.adm.service.common import _row as _row
from adoption_desktop.adm.service.data import (
    DecisionDetail,
    DecisionRow,
    InfoRequestView,
    LetterView,
    QdView,
    SignResult,
    VersionView,
)
from adoption_desktop.adm.service.deciding import _after_signing as _after_signing
from adoption_desktop.adm.service.deciding import _check_delay as _check_delay
from adoption_desktop.adm.service.deciding import _check_order as _check_order
from adoption_desktop.adm.service.deciding import _order_problems as _order_problems
from adoption_desktop.adm.service.deciding import _reauth as _reauth
from adoption_desktop.adm.service.deciding import _sign_fields as _sign_fields
from adoption_desktop.adm.service.deciding import _validate as _validate
from adoption_desktop.adm.service.deciding import (
    check_correctable,
    check_signable,
    correct_decision,
    corrected_period,
    decision_warnings,
    lateness,
    log_information,
    minutes_correction,
    minutes_correction_warning,
    record_decision,
    request_information,
    save_draft_decision,
    sign_decision,
)
from adoption_desktop.adm.service.letters import _file_letter as _file_letter
from adoption_desktop.adm.service.letters import (
    decision_id_for,
    export_decision_letter,
    export_letter,
    letter_pdf,
    letters_for_day,
    mark_letter_sent,
    notice_periods,
    print_day,
    record_oral_notification,
    reissue_notice,
)
from adoption_desktop.adm.service.panel_handoff import (
    decisions_on_panel_item,
    open_decision_from_panel,
    signed_decision_on_panel_item,
    take_minutes_correction,
)
from adoption_desktop.adm.service.qualifying_determination import _qd as _qd
from adoption_desktop.adm.service.qualifying_determination import (
    open_final_decision,
    record_irm_application,
    record_irm_recommendation,
    record_representations,
)
from adoption_desktop.adm.service.queue_and_detail import _qd_view as _qd_view
from adoption_desktop.adm.service.queue_and_detail import get_decision, list_queue
from adoption_desktop.adm.service.type_catalogue import add_decision_type, decision_types, direct_types
from adoption_desktop.adm.service.without_panel import open_direct_decision, set_letter_details

__all__ = [
    "ENTITY", "DecisionDetail", "DecisionRow", "InfoRequestView", "LetterView", "QdView", "SignResult",
    "VersionView", "add_decision_type", "check_correctable", "check_signable", "correct_decision", "corrected_period", "decision_id_for",
    "decision_types",
    "decision_warnings", "decisions_on_panel_item", "direct_types", "export_decision_letter", "export_letter", "get_decision",
    "lateness", "letter_pdf", "letters_for_day", "list_queue", "log_information", "mark_letter_sent",
    "minutes_correction", "minutes_correction_warning", "notice_periods",
    "open_decision_from_panel", "open_direct_decision", "open_final_decision", "print_day",
    "record_decision", "record_irm_application", "record_irm_recommendation", "record_oral_notification",
    "record_representations", "reissue_notice", "request_information", "save_draft_decision",
    "set_letter_details", "sign_decision", "signed_decision_on_panel_item", "take_minutes_correction",
]
