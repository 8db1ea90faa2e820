"""Rebuild ``places.txt.gz``, the gazetteer the letterbox screening assistant matches against.

    python resources/places/build_places.py --os-names PATH [--dictionary /usr/share/dict/british-english]

``--os-names`` is either
  * the ``DATA`` folder (or one CSV file) of **OS Open Names** as downloaded from Ordnance Survey
    (no header; NAME1 is column 3, NAME2 column 5, TYPE column 7, LOCAL_TYPE column 8), of which the
    ``populatedPlace`` rows are kept (cities, towns, villages, hamlets, suburban areas, other settlements), or
  * a CSV with a ``name,type,country`` header holding those rows already extracted (e.g. ``places.csv`` of the
    public-domain *british-placenames* repository, which is OS Open Names' populated places, name1 only).

To these it adds the hand-kept lists beside this script: ``supplement.txt`` (Northern Ireland, the English
forms of Welsh names, London boroughs, counties, islands and areas), ``nicknames.txt`` (shortened town names
people write: Brum, Donny, Lboro ...) and the short forms of "X-on-Sea" names ("Gorleston" for
"Gorleston-on-Sea"), and removes ``never.txt``. Each name is then marked:

  ``w``  its lower-case form is an ordinary English word (``--dictionary``, a word list with capitalised
         proper nouns, such as Debian's ``wbritish``: a word listed in lower case is an ordinary word), or all
         its words are ordinary words ("West End", "Church End", "Mill Hill");
  ``n``  a common first name (``first_names.txt`` and zxcvbn's frequency lists, which the application already
         depends on) or listed in
         ``ambiguous.txt`` (surnames and names that are also words: Preston, Lincoln, Chester ...);
  ``m``  a month name (March, May): needs a strong place context ("moved to March", "lives in May");
  (none) an ordinary place name.

The output is one ``NAME<TAB>FLAG[<TAB>KEY]`` line per name (KEY, the lookup key, only where it is not the name
in lower case), sorted, gzip-compressed (deterministic: no timestamp).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from adoption_desktop.letterbox.places import key  # noqa: E402  (the application's own lookup key)

OUT = HERE / "places.txt.gz"
MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"}
# joining words inside names ("Bottom of Hutton", "Stratford-upon-Avon"): ignored when deciding whether every
# word of a name is an ordinary word
JOINERS = {"of", "the", "on", "in", "le", "la", "de", "upon", "under", "by", "and", "with", "next", "a", "at",
           "super", "cum", "en", "y", "yr", "o"}
# ordinary names of no use in letters (too generic) are in never.txt; these local types are not settlements
KEEP_TYPES = {"City", "Town", "Village", "Hamlet", "Suburban Area", "Other Settlement"}


def _read_list(path: Path) -> list[str]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _os_rows(path: Path) -> Iterator[str]:
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for file in files:
        with file.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            if first.lower().startswith("name,"):
                for row in csv.DictReader(fh):
                    if row.get("type", "") in KEEP_TYPES and row.get("name"):
                        yield row["name"]
                continue
            for cells in csv.reader(fh):
                if len(cells) > 7 and cells[6] == "populatedPlace" and cells[7] in KEEP_TYPES:
                    yield cells[2]
                    if cells[4]:
                        yield cells[4]


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(name.replace("’", "'").split()))
    return name.strip(" ,")


def _dictionary(path: Path | None) -> set[str]:
    if path is None or not path.exists():
        return set()
    words = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        w = line.strip()
        if w and w[0].islower() and "'" not in w:
            words.add(w)
    return words


def _first_names(top: int = 1500) -> set[str]:
    own = {w.lower() for line in _read_list(HERE / "first_names.txt") for w in line.split()}
    try:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - zxcvbn is in the application's lock
        return own
    return own | set(FREQUENCY_LISTS["female_names"][:top]) | set(FREQUENCY_LISTS["male_names"][:top])


def _tokens(name: str) -> list[str]:
    return [t for t in name.replace("-", " ").replace(".", " ").split() if t]


def flag(name: str, words: set[str], first: set[str], curated: set[str]) -> str:
    if name in MONTHS:
        return "m"
    low = name.lower()
    if name in curated or low in first:
        return "n"
    toks = [t.lower() for t in _tokens(name)]
    if low in words or (toks and all(t in words or t in JOINERS or t in first for t in toks)):
        return "w"
    return ""


SHORTENERS = {"on", "upon", "in", "le", "by", "under", "super", "next", "cum", "de", "juxta", "en"}


def short_form(name: str) -> str:
    """The name people write for "X-on-Sea", "X upon Tyne", "X-le-Willows": X (at least 4 letters)."""
    tokens = name.replace("-", " ").split()
    if len(tokens) >= 3 and tokens[1].lower() in SHORTENERS and len(tokens[0]) >= 4 and tokens[0].isalpha():
        return tokens[0]
    return ""


def build(os_names: Path, dictionary: Path | None, extra: Iterable[Path] = ()) -> list[tuple[str, str]]:
    never = set(_read_list(HERE / "never.txt"))
    names: set[str] = set()
    names.update(_clean(n) for n in _os_rows(os_names))
    for path in extra:
        names.update(_clean(n) for n in _read_list(path))
    names.update(_clean(n) for n in _read_list(HERE / "supplement.txt"))
    names.update(_clean(n) for n in _read_list(HERE / "nicknames.txt"))
    names = {n for n in names if len(n) >= 2 and n not in never and any(c.isalpha() for c in n)}
    names |= {s for s in (short_form(n) for n in names) if s and s not in never}
    words = _dictionary(dictionary)
    first = _first_names()
    curated = set(_read_list(HERE / "ambiguous.txt"))
    return sorted((n, flag(n, words, first, curated)) for n in names)


def _line(name: str, flag: str) -> str:
    """``NAME<TAB>FLAG``, plus ``<TAB>KEY`` when the lookup key is not simply the name in lower case (so the
    application reads most lines without folding them)."""
    k = key(name)
    return f"{name}\t{flag}\n" if k == name.lower() else f"{name}\t{flag}\t{k}\n"


def write(rows: Iterable[tuple[str, str]], out: Path = OUT) -> int:
    text = "".join(_line(n, f) for n, f in rows)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    out.write_bytes(buf.getvalue())
    return text.count("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--os-names", type=Path, required=True, help="OS Open Names DATA folder or name,type CSV")
    ap.add_argument("--dictionary", type=Path, default=Path("/usr/share/dict/british-english"),
                    help="word list with proper nouns capitalised (Debian: apt-get install wbritish)")
    ap.add_argument("--extra", type=Path, action="append", default=[],
                    help="another openly licensed list, one name per line (e.g. Northern Ireland's settlements "
                         "from OSNI's gazetteer); give its attribution in LICENCE.md")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if not args.dictionary.exists():
        print(f"warning: no dictionary at {args.dictionary}: ordinary words will not be marked", file=sys.stderr)
    rows = build(args.os_names, args.dictionary, args.extra)
    n = write(rows, args.out)
    counts: dict[str, int] = {}
    for _n, f in rows:
        counts[f or "-"] = counts.get(f or "-", 0) + 1
    print(f"{n} names written to {args.out} ({args.out.stat().st_size} bytes); flags: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
