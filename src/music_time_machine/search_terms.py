"""What a search box may send, checked in one place (daterange.py's style).

A query is reduced by ``search_key`` (normalise.py) to words of letters and digits: case,
accents, punctuation, quotes, control characters and FTS5 operators all fold away, so no
input can change the meaning of the index query. Only its size is refused, with a 400 that
names the parameter: a name is never longer than ``MAX_QUERY_CHARS``.
"""

from __future__ import annotations

from .daterange import RangeError
from .normalise import search_key

MAX_QUERY_CHARS = 200
#: More words than this narrow nothing a person types; they only cost index lookups.
MAX_TERMS = 8


def parse_query(text: str | None) -> list[str]:
    """The search terms in ``q`` (possibly none: an empty or all-punctuation query)."""
    if text is None:
        return []
    if len(text) > MAX_QUERY_CHARS:
        raise RangeError("q", f"must be at most {MAX_QUERY_CHARS} characters")
    terms = search_key(text).split()
    if len(terms) > MAX_TERMS:
        raise RangeError("q", f"must have at most {MAX_TERMS} words")
    return terms
