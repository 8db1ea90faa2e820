"""Build ``everyday_words.txt.gz``: the everyday English words the letterbox screening must not take for the
short form of a protected first name ("Made" of "Madeleine", "Step" of "Stephanie"; see
``adoption_desktop/letterbox/screening/short_forms.py``).

Input: a Hunspell ``.dic`` file of SCOWL's British English word list (see LICENCE.md for the one used and
its licence): every entry written in lower case only (a name is written with a capital there: "Gwen/M",
"Sam/M"), of three to ten letters A–Z. The affix flags are not expanded, and the file leaves out some of the
commonest words ("her", "his", "has", "its", "only": a review found them flagged as short forms of "Hermione",
"Hisham", "Hassan"), so the words of zxcvbn's English frequency lists (Wikipedia's and TV and film's, as
shipped with the zxcvbn package the application already uses for passwords) are added, less its lists of
first names. Output: one word a line, sorted, gzipped.

    python resources/words/build_words.py path/to/en_GB.dic
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _word(w: str) -> bool:
    return w.isascii() and w.isalpha() and w.islower() and 3 <= len(w) <= 10


def everyday_words(dic: Path) -> list[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS as LISTS

    lines = dic.read_text(encoding="utf-8").splitlines()[1:]  # the first line is the count
    words = {line.split("/")[0] for line in lines}
    names = set(LISTS["male_names"]) | set(LISTS["female_names"])
    words |= (set(LISTS["english_wikipedia"]) | set(LISTS["us_tv_and_film"])) - names
    return sorted(w for w in words if _word(w))


def main(argv: list[str]) -> int:
    words = everyday_words(Path(argv[1]))
    data = ("\n".join(words) + "\n").encode("ascii")
    (HERE / "everyday_words.txt.gz").write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"{len(words)} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
