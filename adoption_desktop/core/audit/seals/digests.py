"""How seal records digest a row: canonical values, key strings, the row and content digests, the
per-column sums and the digest an entry carries for its seal records; and the markers a seal record uses
(a deleted row's tombstone, an inline content seal's entity suffix and digest length)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import zlib
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

#: the digest of a deleted row's seal
TOMBSTONE = "-"
#: the entity of a content seal written as a seal record (``ContentRule.inline``): ``<table>#content``
INLINE_CONTENT = "#content"
#: a seal record's digest is 32 hex digits (128 bits of SHA-256), as the row seals': an inline content seal too
INLINE_DIGEST = 32
#: tables whose rows are parts of one record of another table, by the column naming that record (an item's
#: screening findings): each seal of such a row comes with an *owner record* (entity ``<table>@<column>``,
#: entity_id the owner's key, ``fields`` the row's key), so that the rows a record ever had are found by its
#: key alone, however they were written (one by one, or in bulk under one entry)
PART_OWNERS: dict[str, str] = {"letterbox_findings": "item_id"}
#: the owner of a part whose owner could not be told when owner records were introduced (a row already
#: deleted, or changed, outside the application then): such a row is checked with every record's parts
UNKNOWN_OWNER = "?"


class _Missing:
    def __repr__(self) -> str:
        return "<no such column>"


MISSING = _Missing()


def _canon(value: Any) -> str:
    """A typed, unambiguous text form of a value as the driver returns it (``repr``: ``'1'`` is not ``1``,
    ``None`` is not ``''``); ``repr`` is also the fastest way to get one for 300,000 rows."""
    if type(value) is memoryview:
        value = bytes(value)
    return repr(value)


def _pk_part(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def pk_string(values: Sequence[Any]) -> str:
    return "/".join(_pk_part(v) for v in values)


def column_key(columns: Sequence[str]) -> str:
    return _column_key(tuple(columns))


@functools.lru_cache(maxsize=512)
def _column_key(columns: tuple[str, ...]) -> str:
    return hashlib.sha256(",".join(columns).encode("utf-8")).hexdigest()[:16]


def _values(columns: Sequence[str], row: Mapping[str, Any]) -> list[Any]:
    return [row.get(c, MISSING) for c in columns]


def digest_values(table: str, pk: str, columns: Sequence[str], values: Iterable[Any]) -> str:
    # repr is _canon for every type a driver returns here (read_rows turns memoryviews into bytes)
    body = "\x1f".join([table, pk, *chain.from_iterable(zip(columns, map(repr, values), strict=False))])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def row_digest(table: str, pk: str, columns: Sequence[str], row: Mapping[str, Any]) -> str:
    return digest_values(table, pk, columns, _values(columns, row))


def field_sums(columns: Sequence[str], row: Mapping[str, Any]) -> str:
    return "".join(f"{zlib.crc32(v.encode('utf-8')) & 0xFFFF:04x}" for v in map(repr, _values(columns, row)))


def owner_entity(table: str) -> str:
    """The entity of the owner records of ``table``'s rows (``PART_OWNERS``): ``letterbox_findings@item_id``."""
    return f"{table}@{PART_OWNERS[table]}"


def owner_digest(table: str, owner: str, part: str) -> str:
    """The digest of the owner record saying row ``part`` of ``table`` belongs to record ``owner``: the entry's
    seal digest covers it, so neither the owner nor the row named can be changed without breaking the chain."""
    return digest_values(owner_entity(table), owner, ("part",), (part,))


def aggregate(lines: Iterable[tuple[str, str, str]]) -> str:
    """The digest an entry carries for the seal rows written with it."""
    body = "\n".join(sorted(f"{e}\x1f{i}\x1f{d}" for e, i, d in lines))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()



def content_digest(table: str, pk: str, columns: Sequence[str], row: Mapping[str, Any]) -> str:
    body = "\x1f".join(["content", table, pk,
                        *chain.from_iterable(zip(columns, map(_canon, _values(columns, row)), strict=True))])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
