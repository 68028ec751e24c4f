"""What an import did, per file: the report users read to trust (or question) an import.

Every row read lands in exactly one bucket, so the columns add up to ``rows_read``:
``plays_added`` (new music/video rows that count under the user's play rule),
``short_plays`` (new music/video rows below the rule: stored for skip statistics, not
plays), ``podcasts_audiobooks`` (new episode/chapter rows, stored as their own kind),
``duplicates`` (already stored: exactly, or the same stream from another source),
``without_metadata`` (names nothing: not stored), ``incognito_skipped`` and ``rejected``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from .sources import SkippedFile

COUNTS = (
    "rows_read",
    "plays_added",
    "short_plays",
    "podcasts_audiobooks",
    "duplicates",
    "without_metadata",
    "incognito_skipped",
    "rejected",
)


@dataclass
class FileReport:
    name: str
    kind: str  # "extended" | "account"; "archive"/"unknown" for a refused zip or path
    rows_read: int = 0
    plays_added: int = 0
    short_plays: int = 0
    podcasts_audiobooks: int = 0
    duplicates: int = 0
    without_metadata: int = 0
    incognito_skipped: int = 0
    rejected: int = 0
    rejected_reasons: Counter = field(default_factory=Counter)
    error: str | None = None  # set when the whole file was refused (nothing stored)

    @property
    def stored(self) -> int:
        """Rows written to the database by this file."""
        return self.plays_added + self.short_plays + self.podcasts_audiobooks

    def count_as_duplicates(self, ignored: int) -> None:
        """Rows counted as new that the database ignored (already stored) are duplicates."""
        if ignored <= 0:
            return
        self.duplicates += ignored
        for name in ("plays_added", "short_plays", "podcasts_audiobooks"):
            take = min(ignored, getattr(self, name))
            setattr(self, name, getattr(self, name) - take)
            ignored -= take

    def to_dict(self) -> dict:
        data = {"name": self.name, "kind": self.kind, "error": self.error}
        data.update({c: getattr(self, c) for c in COUNTS})
        data["rejected_reasons"] = dict(self.rejected_reasons)
        return data


class _SumOverFiles:
    """A read-only count of ``ImportSummary``: the same-named count of its file reports,
    summed (one rule for every total, rather than a property each)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, summary: ImportSummary, owner: type | None = None) -> int:
        return sum(getattr(report, self.name) for report in summary.files)

    def __set__(self, summary: ImportSummary, value: int) -> None:
        raise AttributeError(f"{self.name} is a total: count it on a FileReport")


@dataclass
class ImportSummary:
    files: list[FileReport] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0

    rows_read = _SumOverFiles()
    plays_added = _SumOverFiles()
    short_plays = _SumOverFiles()
    podcasts_audiobooks = _SumOverFiles()
    duplicates = _SumOverFiles()
    without_metadata = _SumOverFiles()
    incognito_skipped = _SumOverFiles()
    rejected = _SumOverFiles()
    stored = _SumOverFiles()

    @property
    def errors(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    @property
    def ok(self) -> bool:
        """True when no file was refused (skipped non-history files are fine)."""
        return not self.errors

    def headline(self) -> str:
        """One sentence for the page and the log."""
        what = "would add" if self.dry_run else "added"
        text = (
            f"Read {self.rows_read:,} rows from {len(self.files)} file"
            f"{'s' if len(self.files) != 1 else ''}: {what} {self.plays_added:,} plays, "
            f"{self.short_plays:,} short plays and {self.podcasts_audiobooks:,} podcast or "
            f"audiobook streams; {self.duplicates:,} were already here."
        )
        if self.errors:
            text += f" {len(self.errors)} file{'s' if len(self.errors) != 1 else ''} refused."
        return text

    def totals(self) -> dict[str, int]:
        return {c: getattr(self, c) for c in COUNTS}

    def to_dict(self) -> dict:
        """JSON-safe form for the web page and the API."""
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
            "files": [f.to_dict() for f in self.files],
            "skipped": [{"name": s.name, "reason": s.reason} for s in self.skipped],
            "totals": self.totals(),
            "headline": self.headline(),
        }


#: Progress is reported at most this often (seconds), by the import and the restore.
PROGRESS_EVERY_S = 0.2


class Throttle:
    """Says when a progress report is due: at most once every ``every_s`` seconds, or when
    forced (a file starts, the job ends). Reports cost a database write in a job."""

    def __init__(self, every_s: float) -> None:
        self.every_s = every_s
        self._last = 0.0

    def due(self, force: bool = False) -> bool:
        now = time.monotonic()
        if not force and now - self._last < self.every_s:
            return False
        self._last = now
        return True


@dataclass(frozen=True)
class ImportProgress:
    """Where a running import is; sent to the ``progress`` callback a few times a second."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    rows_done: int
    current_file: str | None

    @property
    def fraction(self) -> float:
        if self.bytes_total > 0:
            return min(1.0, self.bytes_done / self.bytes_total)
        return 1.0 if self.files_total == 0 else self.files_done / self.files_total

    def describe(self) -> str:
        current = f" — {self.current_file}" if self.current_file else ""
        file_no = min(self.files_done + 1, self.files_total)
        return f"Imported {self.rows_done:,} rows, file {file_no} of {self.files_total}{current}"

    def to_dict(self) -> dict:
        return {**asdict(self), "fraction": round(self.fraction, 4)}


_COLUMNS = (
    ("rows", "rows_read"),
    ("added", "plays_added"),
    ("short", "short_plays"),
    ("pod/book", "podcasts_audiobooks"),
    ("dupes", "duplicates"),
    ("no meta", "without_metadata"),
    ("incog.", "incognito_skipped"),
    ("rejected", "rejected"),
)


def format_summary_table(summary: ImportSummary) -> str:
    """A plain-text table for the CLI: one line per file, totals, then errors and skips."""
    names = [f.name for f in summary.files] + ["TOTAL"]
    width = min(max(len(n) for n in names), 60)
    header = f"{'file':<{width}}  " + "  ".join(f"{h:>8}" for h, _ in _COLUMNS)
    lines = [header, "-" * len(header)]

    def row(label: str, values: list[int], note: str = "") -> str:
        label = label if len(label) <= width else "..." + label[-(width - 3) :]
        return (f"{label:<{width}}  " + "  ".join(f"{v:>8,}" for v in values) + note).rstrip()

    for f in summary.files:
        note = "  REFUSED" if f.error else ""
        lines.append(row(f.name, [getattr(f, a) for _, a in _COLUMNS], note))
    lines.append("-" * len(header))
    lines.append(row("TOTAL", [getattr(summary, a) for _, a in _COLUMNS]))
    if summary.dry_run:
        lines.append("Dry run: nothing was written.")
    for f in summary.files:
        if f.error:
            lines.append(f"Refused {f.name}: {f.error}")
        for reason, count in sorted(f.rejected_reasons.items()):
            lines.append(f"Rejected in {f.name}: {count:,} row(s) with {reason}")
    if summary.skipped:
        lines.append(f"Skipped {len(summary.skipped)} file(s) that are not listening history:")
        lines.extend(f"  {s.name} ({s.reason})" for s in summary.skipped)
    return "\n".join(lines)
