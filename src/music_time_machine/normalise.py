"""Name normalisation used to link rows that carry names but no Spotify ids.

Spotify's "Account data" export has only artist and track names. To link such a row to a
track that another source (the extended export, the live sync) stored with its URI, both
sides are reduced to the same key. The rules are deliberately conservative: they fold case,
accents, punctuation and whitespace, but keep words such as "Remix" or "Live", so two
different recordings never share a key just because their titles look alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEP = "\x1f"
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


@lru_cache(maxsize=65_536)
def name_key(name: str) -> str:
    """Fold case, accents, punctuation and spacing of one name.

    Cached: an import meets each artist and album name thousands of times (and a large
    catalogue's names once per batch of the file's rows), and this costs ~5 µs."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped).strip()


def match_key(artist_name: str, track_name: str) -> str:
    """The key that links a URI-less row to a track: normalised artist and title."""
    return f"{name_key(artist_name)}{_SEP}{name_key(track_name)}"


#: Letters that Unicode decomposition leaves alone but a searcher types without their mark
#: ("royksopp" for Røyksopp, "lodz" for Łódź); applied after ``name_key`` (so lower case).
#: The search index's triggers apply the same table in SQL (``search_key_sql``).
SEARCH_LETTERS: dict[str, str] = {
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŀ": "l",
    "ĸ": "k",
}


def search_key(name: str) -> str:
    """``name_key`` with the letters of ``SEARCH_LETTERS`` spelt without their mark: the
    form both the search index and a search query are reduced to."""
    key = name_key(name)
    for letter, plain in SEARCH_LETTERS.items():
        key = key.replace(letter, plain)
    return key


def search_key_sql(key_expr: str) -> str:
    """SQL that turns a stored ``name_key`` expression into its ``search_key``."""
    for letter, plain in SEARCH_LETTERS.items():
        key_expr = f"replace({key_expr}, '{letter}', '{plain}')"
    return key_expr
