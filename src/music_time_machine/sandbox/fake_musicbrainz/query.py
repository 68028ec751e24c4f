"""Just enough Lucene for the fake's searches: fields, phrases, escapes, AND / OR.

``artist:"Tide of Moths"``, ``recording:"Afterglow" AND artist:"Maja Åberg"``, bare words
(the default field) and backslash escapes (``\\"``) are understood; parentheses and other
operators are ignored. Matching folds case, accents and punctuation (``normalise.name_key``)
like MusicBrainz's own search does, and a score from 0 to 100 says how well a text matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...normalise import name_key


class QueryError(ValueError):
    """The query cannot be read (empty, or an unterminated phrase)."""


@dataclass(frozen=True)
class Clause:
    field: str  # "" for the default field
    text: str


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    all_required: bool  # AND between clauses (else OR)

    def texts(self, *fields: str) -> list[str]:
        """The clause texts for any of ``fields`` ("" is the default field)."""
        return [c.text for c in self.clauses if c.field in fields]


def parse(query: str) -> Query:
    clauses: list[Clause] = []
    operators: set[str] = set()
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace() or ch in "()":
            i += 1
            continue
        field = ""
        start = i
        while i < n and (query[i].isalnum() or query[i] in "-_"):
            i += 1
        if i < n and query[i] == ":" and i > start:
            field = query[start:i].lower()
            i += 1
        else:
            i = start
        text, i = _read_value(query, i)
        if not field and text in ("AND", "OR", "NOT", "&&", "||"):
            operators.add({"&&": "AND", "||": "OR"}.get(text, text))
            continue
        if text:
            clauses.append(Clause(field, text))
    if not clauses:
        raise QueryError("the query is empty")
    return Query(tuple(clauses), "AND" in operators)


def _read_value(query: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    n = len(query)
    if i < n and query[i] == '"':
        i += 1
        while i < n and query[i] != '"':
            if query[i] == "\\" and i + 1 < n:
                i += 1
            out.append(query[i])
            i += 1
        if i >= n:
            raise QueryError("a phrase is missing its closing quote")
        return "".join(out), i + 1
    while i < n and not query[i].isspace() and query[i] not in "()":
        if query[i] == "\\" and i + 1 < n:
            i += 1
        out.append(query[i])
        i += 1
    return "".join(out), i


def score(wanted: str, candidate: str) -> int:
    """100 for the same name (after folding); less for shared words; 0 for none."""
    a, b = name_key(wanted), name_key(candidate)
    if not a or not b:
        return 0
    if a == b:
        return 100
    wa, wb = set(a.split()), set(b.split())
    shared = len(wa & wb)
    if not shared:
        return 0
    return max(1, round(90 * shared / max(len(wa), len(wb))))
