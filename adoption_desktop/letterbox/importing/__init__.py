"""Import an existing letterbox register from .xlsx or .csv (issue 12, items 4, 5 and 7).

1. :func:`read_table` reads the first sheet, or the one holding the register (header row + rows as text,
   each with its spreadsheet row number; python-calamine for .xlsx).
2. :func:`guess_mapping` maps columns to fields by header name; the user may change it (preview).
3. :func:`check_rows` checks every cell (control and invisible characters, date ranges, spreadsheet
   formulas, references after Unicode normalisation) and :func:`plan_import` compares with the database:
   a report of ``(row, column, problem)`` — refusals and warnings — before anything is written; rows sharing
   a reference are one arrangement with several birth relatives; a reference already stored is an
   **update**, not a duplicate.
4. :func:`import_file` / :func:`import_table` write everything in **one transaction** with bulk inserts and
   one audit entry per row, or nothing if any row has a problem (``dry_run`` writes nothing either).

Modules: ``fields`` (what can be imported), ``reading``, ``validation`` (pure), ``planning`` (against the
database), ``writing``.
"""

from adoption_desktop.letterbox.importing.fields import (
    FIELD_BY_KEY,
    FIELDS,
    FieldSpec,
    column_letter,
    guess_mapping,
)
from adoption_desktop.letterbox.importing.planning import ImportPlan, compare, plan_import
from adoption_desktop.letterbox.importing.reading import MAX_ROWS, Table, _cell, read_table
from adoption_desktop.letterbox.importing.validation import (
    FORMULA_TRIGGERS,
    Group,
    ImportCancelled,
    Problem,
    check_rows,
    formula_risk,
    parse_bool,
    parse_date,
)
from adoption_desktop.letterbox.importing.writing import ImportReport, import_file, import_table, write_plan

__all__ = ["FIELDS", "FIELD_BY_KEY", "FORMULA_TRIGGERS", "MAX_ROWS", "FieldSpec", "Group", "ImportCancelled",
           "ImportPlan", "ImportReport", "Problem", "Table", "_cell", "check_rows", "column_letter", "compare",
           "formula_risk", "guess_mapping", "import_file", "import_table", "parse_bool", "parse_date",
           "plan_import", "read_table", "write_plan"]
