"""Letterbox use cases: one transaction each, permission checked first, every step audited.

Services return frozen dataclasses, never ORM objects. Registers are read in pages straight from SQL
(with the full-text index from :mod:`adoption_desktop.core.storage.search`), never as 100,000 objects.

One module per use case; every name the use cases had when they were one module (the private ones too)
is re-exported here, so ``from adoption_desktop.letterbox.service import …`` works as before:

- ``data``: the plain data, the frozen dataclasses taken and returned (inputs, rows, details, filters);
- ``common``: what the others share: the two full-text indexes (``ITEMS_INDEX``, ``ARRANGEMENTS_INDEX``),
  ``P``, ``AnySelect`` and the indexed text of an item or an arrangement;
- ``arrangements``: an arrangement cleaned, checked, saved (form and import: ``save_arrangement_in``,
  ``ARRANGEMENT_COLUMNS``) with its relatives and protected terms, read back, its status set;
- ``protected``: an arrangement's protected terms and the writer's side's secrets for the screening;
- ``item_register``: the items register (filters, sorts, count, pages) and the per-keystroke path of a
  search alone (``COUNT_CAP``, the statements compiled once);
- ``arrangement_register``: the arrangements register and its coordinators;
- ``expected_exchanges``: expected exchanges and the work list (``work_list``, ``work_rows_in``);
- ``item_log``: an item received, screened, its findings decided, second-checked, its outcome recorded
  (a returned item's reason reworded), read back;
- ``item_corrections``: mistakes in the log put right (how an item was logged corrected, an item marked as
  logged in error, a correction note on an item with an outcome).

``record_letters_sent`` lives in :mod:`adoption_desktop.letterbox.sent_list` and is re-exported here.

A module-level name read at call time lives in the module that reads it: ``COUNT_CAP`` is read by
``item_register`` alone, so patch it there (``monkeypatch.setattr(item_register, "COUNT_CAP", 4)``); a name
rebound on this package reaches none of the use cases. Objects are never copied: ``service._PREPARED`` is
the one dict ``item_register`` fills.
"""

from __future__ import annotations

# the sent-list of a letter batch lives in its own module (a batch of letters need not import this one)
from adoption_desktop.letterbox.sent_list import record_letters_sent
from adoption_desktop.letterbox.service.arrangement_register import (
    _ARR_SORT,
    _arr_where,
    coordinator_names,
    coordinators,
    count_arrangements,
    list_arrangements,
)
from adoption_desktop.letterbox.service.arrangements import (
    ARRANGEMENT_COLUMNS,
    FIELD_CLEANERS,
    _apply,
    _arrangement_values,
    _clean,
    _default_terms,
    _input_of,
    _reindex,
    _save_children,
    _validate,
    arrangement_values,
    check_arrangement,
    clean_field,
    coordinator_accounts,
    coordinator_accounts_in,
    create_arrangement,
    get_arrangement,
    pattern_changes_in,
    save_arrangement_in,
    set_arrangement_status,
    update_arrangement,
)
from adoption_desktop.letterbox.service.common import (
    ARRANGEMENTS_INDEX,
    ITEMS_INDEX,
    AnySelect,
    P,
    arrangement_document,
    item_document,
)
from adoption_desktop.letterbox.service.data import (
    ArrangementDetail,
    ArrangementFilter,
    ArrangementInput,
    ArrangementRow,
    EventRow,
    FindingRow,
    ItemDetail,
    ItemFilter,
    ItemLetterRow,
    ItemRow,
    LoggedAlready,
    ParticipantData,
    ScreeningResult,
    SentRow,
    TermData,
    WorkRow,
    WriterChoice,
)
from adoption_desktop.letterbox.service.expected_exchanges import (
    MissedMark,
    SentBatch,
    letters_sent_on,
    look_back_start,
    mark_missed,
    reminders_produced,
    unmark_missed,
    work_list,
    work_list_since,
    work_rows_in,
)
from adoption_desktop.letterbox.service.item_corrections import (
    ArrangementChoice,
    LoggingCorrected,
    add_correction_note,
    correct_item_logging,
    find_arrangement,
    mark_logged_in_error,
)
from adoption_desktop.letterbox.service.item_log import (
    ALREADY_LOGGED_DAYS,
    AlreadyLogged,
    _event,
    _item_values,
    already_logged,
    confirm_second_check,
    decide_finding,
    get_item,
    log_item,
    record_outcome,
    reword_return_reason,
    screen_item,
    set_item_writer,
    with_reasons,
    writer_choices,
)
from adoption_desktop.letterbox.service.item_register import (
    _INDEXED_SORT,
    _ITEM_SORT,
    _PREPARED,
    COUNT_CAP,
    _count_items,
    _item_rows,
    _item_rows_stmt,
    _item_where,
    _list_items,
    _matches,
    _only_query,
    _pg_item_page,
    _Prepared,
    _prepared,
    _rows_prepared,
    _search_count,
    _search_rows,
    _sqlite_item_rows,
    _sqlite_keystroke,
    count_items,
    item_page,
    list_items,
    search_capped,
)
from adoption_desktop.letterbox.service.protected import (
    NAMES_FAMILY,
    ScreeningTerms,
    protected_terms,
    screen_postcode_only,
    screening_terms,
    writer_side_secrets,
)

# every name of the former module, its private ones too (code and tests outside use some of them)
__all__ = [
    "ALREADY_LOGGED_DAYS",
    "ARRANGEMENTS_INDEX",
    "ARRANGEMENT_COLUMNS",
    "COUNT_CAP",
    "FIELD_CLEANERS",
    "ITEMS_INDEX",
    "NAMES_FAMILY",
    "_ARR_SORT",
    "_INDEXED_SORT",
    "_ITEM_SORT",
    "_PREPARED",
    "AlreadyLogged",
    "AnySelect",
    "ArrangementChoice",
    "ArrangementDetail",
    "ArrangementFilter",
    "ArrangementInput",
    "ArrangementRow",
    "EventRow",
    "FindingRow",
    "ItemDetail",
    "ItemFilter",
    "ItemLetterRow",
    "ItemRow",
    "LoggedAlready",
    "LoggingCorrected",
    "MissedMark",
    "P",
    "ParticipantData",
    "ScreeningResult",
    "ScreeningTerms",
    "SentBatch",
    "SentRow",
    "TermData",
    "WorkRow",
    "WriterChoice",
    "_Prepared",
    "_apply",
    "_arr_where",
    "_arrangement_values",
    "_clean",
    "_count_items",
    "_default_terms",
    "_event",
    "_input_of",
    "_item_rows",
    "_item_rows_stmt",
    "_item_values",
    "_item_where",
    "_list_items",
    "_matches",
    "_only_query",
    "_pg_item_page",
    "_prepared",
    "_reindex",
    "_rows_prepared",
    "_save_children",
    "_search_count",
    "_search_rows",
    "_sqlite_item_rows",
    "_sqlite_keystroke",
    "_validate",
    "add_correction_note",
    "already_logged",
    "arrangement_document",
    "arrangement_values",
    "check_arrangement",
    "clean_field",
    "confirm_second_check",
    "coordinator_accounts",
    "coordinator_accounts_in",
    "coordinator_names",
    "coordinators",
    "correct_item_logging",
    "count_arrangements",
    "count_items",
    "create_arrangement",
    "decide_finding",
    "find_arrangement",
    "get_arrangement",
    "get_item",
    "item_document",
    "item_page",
    "letters_sent_on",
    "list_arrangements",
    "list_items",
    "log_item",
    "look_back_start",
    "mark_logged_in_error",
    "mark_missed",
    "pattern_changes_in",
    "protected_terms",
    "record_letters_sent",
    "record_outcome",
    "reminders_produced",
    "reword_return_reason",
    "save_arrangement_in",
    "screen_item",
    "screen_postcode_only",
    "screening_terms",
    "search_capped",
    "set_arrangement_status",
    "set_item_writer",
    "unmark_missed",
    "update_arrangement",
    "with_reasons",
    "work_list",
    "work_list_since",
    "work_rows_in",
    "writer_choices",
    "writer_side_secrets",
]
