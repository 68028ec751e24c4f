"""The range form of the stats pages (Analytics, the full top lists, the explore pages).

Each renders the ``range_filter`` macro with the same values: the range shown, the presets,
the years offered, the start and end as typed (so a refused range is shown back as the user
wrote it) and the error; a refused range still renders the page, for the default range,
with status 400.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from flask import render_template, request
from flask.typing import ResponseReturnValue

from ..daterange import PRESETS, DateRange
from ..db.stats import ListeningStats


class RangeAsked(Protocol):
    """What a page knows once it has read the range: the user's stats, today, the range."""

    stats: ListeningStats
    today: date
    span: DateRange


def render_with_range(
    template: str, asked: RangeAsked, error: str | None, **context: Any
) -> ResponseReturnValue:
    """``template`` with the range form's values and ``context``; 400 if ``error``."""
    first = asked.stats.first_day
    years = [str(y) for y in range(first.year, asked.today.year + 1)] if first else []
    page = render_template(
        template,
        span=asked.span,
        presets=PRESETS,
        years=years,
        error=error,
        form_start=request.args.get("start", ""),
        form_end=request.args.get("end", ""),
        **context,
    )
    return page, 400 if error else 200
