"""Per-row seals: the audit log vouches for the current content of every audited table.

Whenever the application writes a row of an audited table (insert, update, delete; one at a time or in
bulk) it seals the row as it now stands in the database: a digest over the table, the row's key and
every column's value, written to ``audit_seal`` with the sequence number of the audit entry that made
the change. That entry's hashed content includes a digest of all the seal rows written with it, so a
seal cannot be altered, added or removed without breaking the chain.

:func:`.seal_check.verify_record` then recomputes every row's seal and names, table by table, each row inserted,
changed (with the fields) or deleted outside the application. The columns a seal covers are listed
with it (``audit_columns``), so tables may gain columns later: a column added after a row was last
sealed is covered from the row's next write on.

Signed decisions, approved minutes and filed letters also get a *content seal* once: an entry with
action ``seal`` whose ``seal`` field is the digest of the row's content at that moment (the columns
are listed in its detail). Any later difference, by whatever route, is reported. Records that become
final in numbers (letterbox items given an outcome, closed counselling cases) get theirs as one more seal
record (``inline``: entity ``<table>#content``) written with the entry that made them final, so a
bulk write costs no extra entry; ``verify`` holds each row to the *first* such record, so a later one
added with the key vouches for nothing.

The package's modules, each importing only those above it:

* ``digests``: canonical values, key strings, the row and content digests, the markers of seal records;
* ``tables``: which tables are audited, and their rows read by primary key;
* ``filed_form``: seals made in a database file, checked on the server it was moved to;
* ``content_rules``: which records become final and when, and what their content is;
* ``row_seals``: making and writing seal records, and whether rows still match their latest seals;
* ``final_records``: the content seals of final records (an entry of their own, or a seal record);
* ``sealed_writes``: the entry for each write to an audited table, sealing the rows it touched;
* ``baselines``: sealing rows that have no seal yet, and records already final when content seals came.

Every name is re-exported here (the private ones too, which the verifier and tests use), so
``seals.X`` and ``from adoption_desktop.core.audit.seals import X`` work as before the split.
"""

from __future__ import annotations

from adoption_desktop.core.audit.seals.baselines import (
    BASELINE,
    seal_baseline,
    seal_final_baseline,
    seal_unsealed,
)
from adoption_desktop.core.audit.seals.content_rules import (
    CONTENT_RULES,
    FINAL_ITEM_STATUSES,
    ContentRule,
    _returned_reason,
    _same,
    content_columns,
    content_matches,
)
from adoption_desktop.core.audit.seals.digests import (
    INLINE_CONTENT,
    INLINE_DIGEST,
    MISSING,
    TOMBSTONE,
    _canon,
    _column_key,
    _Missing,
    _pk_part,
    _values,
    aggregate,
    column_key,
    content_digest,
    digest_values,
    field_sums,
    pk_string,
    row_digest,
)
from adoption_desktop.core.audit.seals.filed_form import (
    MOVED_FROM_FILE,
    MOVED_TO_SERVER,
    as_filed,
    filed_before,
    filed_difference,
    moved_at,
)
from adoption_desktop.core.audit.seals.final_records import (
    CONTENT,
    CONTENT_SEAL,
    Due,
    _content_record,
    _inline_due,
    _with_content,
    record_columns,
    seal_content,
)
from adoption_desktop.core.audit.seals.row_seals import (
    _insert_ignore,
    _log,
    _make_seals,
    _off_seal,
    _Seal,
    _warn_unsealed,
    _write,
    _write_many,
    not_sealed_note,
    row_matches_seal,
    rows_off_seal,
    rows_off_seal_where,
)
from adoption_desktop.core.audit.seals.sealed_writes import (
    RowChange,
    filed_under,
    seal_change,
    seal_each,
    seal_written,
)
from adoption_desktop.core.audit.seals.tables import (
    _pk_columns,
    _plain,
    audited_table,
    audited_tables,
    read_rows,
)

__all__ = [
    "BASELINE",
    "CONTENT",
    "CONTENT_RULES",
    "CONTENT_SEAL",
    "FINAL_ITEM_STATUSES",
    "INLINE_CONTENT",
    "INLINE_DIGEST",
    "MISSING",
    "MOVED_FROM_FILE",
    "MOVED_TO_SERVER",
    "TOMBSTONE",
    "ContentRule",
    "Due",
    "RowChange",
    "_Missing",
    "_Seal",
    "_canon",
    "_column_key",
    "_content_record",
    "_inline_due",
    "_insert_ignore",
    "_log",
    "_make_seals",
    "_off_seal",
    "_pk_columns",
    "_pk_part",
    "_plain",
    "_returned_reason",
    "_same",
    "_values",
    "_warn_unsealed",
    "_with_content",
    "_write",
    "_write_many",
    "aggregate",
    "as_filed",
    "audited_table",
    "audited_tables",
    "column_key",
    "content_columns",
    "content_digest",
    "content_matches",
    "digest_values",
    "field_sums",
    "filed_before",
    "filed_difference",
    "filed_under",
    "moved_at",
    "not_sealed_note",
    "pk_string",
    "read_rows",
    "record_columns",
    "row_digest",
    "row_matches_seal",
    "rows_off_seal",
    "rows_off_seal_where",
    "seal_baseline",
    "seal_change",
    "seal_content",
    "seal_each",
    "seal_final_baseline",
    "seal_unsealed",
    "seal_written",
]
