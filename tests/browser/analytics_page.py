"""The Analytics page as the browser tests read and drive it: where its plays figure is, how
many points its volume chart draws, and changing its range in place with JavaScript."""

from __future__ import annotations

from typing import Any

#: The plays figure of the summary cards.
PLAYS = '[data-stat="plays"] [data-value]'
#: How many points (periods) the volume chart draws.
VOLUME_POINTS = "() => window.Chart.getChart('volume-chart').data.labels.length"

# True when the range ``key`` is the current one and its numbers have arrived.
_RANGE_SHOWN = """(key) => document.querySelector(`[data-range="${key}"]`)
    .getAttribute('aria-current') === 'true'
  && document.getElementById('analytics-results').getAttribute('aria-busy') === 'false'"""


def change_range_in_place(page: Any, label: str, key: str) -> None:
    """Clicks an Analytics range preset (``label``, e.g. "30 days") with JavaScript on and
    waits until it is the current range (``key``, e.g. "30d") and its numbers are shown."""
    page.get_by_role("link", name=label, exact=True).click()
    page.wait_for_function(_RANGE_SHOWN, arg=key)
