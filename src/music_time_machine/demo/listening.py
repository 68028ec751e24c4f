"""When the demo listener listens: days, hours, sessions, skips and devices.

The plan works top-down so that the total is exact: session lengths are drawn until they
add up to the requested number of streams, each session is placed on a day (weighted by a
slowly drifting level of activity, weekends, holidays and the season) and at a local hour
(a weekday or a weekend profile), and then filled with consecutive streams.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from datetime import date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from .taste import Taste

#: Relative chance that a session starts at each local hour. Weekdays: commute peaks and
#: evenings; weekends: late mornings, long afternoons, later nights.
WEEKDAY_HOURS = (
    1.0,
    0.45,
    0.2,
    0.1,
    0.08,
    0.2,
    0.9,
    2.6,
    4.0,
    2.8,
    1.6,
    1.4,
    2.0,
    1.5,
    1.4,
    1.6,
    2.0,
    3.0,
    4.0,
    4.4,
    5.0,
    4.6,
    3.2,
    1.8,
)
WEEKEND_HOURS = (
    2.2,
    1.4,
    0.7,
    0.25,
    0.12,
    0.08,
    0.12,
    0.3,
    0.7,
    1.5,
    2.6,
    3.2,
    3.4,
    3.6,
    3.8,
    3.8,
    3.6,
    3.4,
    3.6,
    4.0,
    4.4,
    4.4,
    3.8,
    3.0,
)

#: A stream as the generator keeps it: (played_at ms, track index, ms_played, skipped,
#: shuffle, reason_start, reason_end, platform).
Stream = tuple[int, int, int, int, int, str, str, str]

_COMMUTE = frozenset((7, 8, 17, 18))


def plan_streams(
    taste: Taste, rng: random.Random, total: int, start_ms: int, end_ms: int, tz_name: str
) -> list[Stream]:
    """Exactly ``total`` streams between ``start_ms`` and ``end_ms``, sorted, unique times."""
    if total <= 0:
        return []
    tz = ZoneInfo(tz_name)
    first = datetime.fromtimestamp(start_ms / 1000, tz)
    last = datetime.fromtimestamp(end_ms / 1000, tz)
    days = [first.date() + timedelta(days=i) for i in range((last.date() - first.date()).days + 1)]
    windows = [(0, 24)] * len(days)
    windows[0] = (min(23, first.hour + 1), 24)
    windows[-1] = (windows[-1][0] if len(days) > 1 else windows[0][0], last.hour)
    cum_day = list(accumulate(_day_weights(rng, days, windows)))
    if cum_day[-1] <= 0:  # a window too short for any session: use the whole range
        windows = [(0, 24)] * len(days)
        cum_day = list(accumulate([1.0] * len(days)))

    lengths: list[int] = []
    remaining = total
    while remaining:
        n = min(remaining, max(1, min(120, round(rng.lognormvariate(2.1, 0.8)))))
        lengths.append(n)
        remaining -= n
    placed = sorted(bisect_right(cum_day, rng.random() * cum_day[-1]) for _ in lengths)

    phone_switch = start_ms + int(rng.uniform(0.4, 0.8) * (end_ms - start_ms))
    weights_cache: dict[int, list[float]] = {}
    streams: list[Stream] = []
    for n, day_index in zip(lengths, placed, strict=True):
        day = days[day_index]
        lo, hi = windows[day_index]
        hours = WEEKEND_HOURS if day.weekday() >= 5 else WEEKDAY_HOURS
        cum_h = list(accumulate(hours[lo:hi]))
        hour = lo + bisect_right(cum_h, rng.random() * cum_h[-1])
        begin = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=tz
        )
        begin_ms = int(begin.timestamp() * 1000) + rng.randrange(1000)
        cum = weights_cache.get(day_index)
        if cum is None:
            noon = int(datetime(day.year, day.month, day.day, 12, tzinfo=tz).timestamp() * 1000)
            cum = weights_cache[day_index] = taste.artist_weights(noon)
        platform = _platform(rng, hour, day.weekday() >= 5, begin_ms >= phone_switch)
        session = _session(taste, rng, n, begin_ms, cum, platform)
        overshoot = session[-1][0] - end_ms
        if overshoot > 0:  # the last session of the range must end by ``end``
            back = overshoot + rng.randrange(60_000, 900_000)
            session = [(s[0] - back, *s[1:]) for s in session]
        streams.extend(session)

    streams.sort()
    _make_times_unique(streams, start_ms, end_ms)
    return streams


def _day_weights(
    rng: random.Random, days: list[date], windows: list[tuple[int, int]]
) -> list[float]:
    """Activity per day: life phases, slow growth, weekends, winter, holidays, busy days."""
    n = len(days)

    def phase(i: int) -> float:
        return (
            0.25 * math.sin(2 * math.pi * i / 400 + phases[0])
            + 0.15 * math.sin(2 * math.pi * i / 170 + phases[1])
            + 0.10 * math.sin(2 * math.pi * i / 60 + phases[2])
        )

    # The dashboard looks at the last weeks: keep them at least averagely busy, no holiday.
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    while phase(n - 1) < 0 or phase(n - 31) < 0:
        phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    holidays: set[int] = set()
    for _ in range(max(1, round(n / 365 * 2))):
        begin = rng.randrange(max(1, n - 60))
        holidays.update(range(begin, begin + rng.randint(6, 15)))
    out = []
    for i, day in enumerate(days):
        weekend = day.weekday() >= 5
        hours = WEEKEND_HOURS if weekend else WEEKDAY_HOURS
        lo, hi = windows[i]
        share = sum(hours[lo:hi]) / sum(hours) if hi > lo else 0.0
        w = math.exp(phase(i)) * (0.8 + 0.4 * i / max(1, n - 1)) * (1.1 if weekend else 1.0)
        w *= 1 + 0.12 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
        w *= math.exp(rng.gauss(0, 0.35)) * share
        if i in holidays:
            w *= 0.35
        elif rng.random() < 0.05:
            w *= 0.05
        out.append(w)
    return out


def _platform(rng: random.Random, hour: int, weekend: bool, new_phone: bool) -> str:
    phone = "ios" if new_phone else "android"
    r = rng.random()
    if not weekend and hour in _COMMUTE:
        return phone if r < 0.92 else "windows"
    if not weekend and 9 <= hour < 17:
        return "windows" if r < 0.6 else phone if r < 0.9 else "web_player"
    return phone if r < 0.5 else "windows" if r < 0.78 else "osx" if r < 0.9 else "web_player"


def _session(
    taste: Taste, rng: random.Random, n: int, t: int, cum: list[float], platform: str
) -> list[Stream]:
    """``n`` consecutive streams from ``t``: an album, an artist, or a shuffled mix."""
    tracks, total_w = taste.tracks, cum[-1]
    kind = rng.random()
    if kind < 0.18:
        mode, shuffle, stay, skip_base = "album", int(rng.random() < 0.1), 0.0, 0.07
    elif kind < 0.4:
        mode, shuffle, stay, skip_base = "artist", int(rng.random() < 0.7), 0.75, 0.15
    else:
        mode, shuffle, stay, skip_base = "mix", int(rng.random() < 0.55), 0.3, 0.2
    artist = bisect_right(cum, rng.random() * total_w)
    queue: list[int] = []
    if mode == "album":
        released = taste.released_albums(artist, t)
        album_tracks = taste.albums[rng.choice(released[-2:])].tracks
        queue = album_tracks[rng.randrange(len(album_tracks)) if rng.random() < 0.2 else 0 :]
    out: list[Stream] = []
    previous, reason_end = -1, ""
    for j in range(n):
        if j < len(queue):
            track = queue[j]
        else:
            if j and rng.random() >= stay:
                artist = bisect_right(cum, rng.random() * total_w)
            track = taste.pick_track(rng, artist, t)
            if track == previous:
                track = taste.pick_track(rng, artist, t)
        if j == 0:
            reason_start = "clickrow" if kind < 0.6 else "playbtn" if kind < 0.85 else "appload"
        else:
            reason_start = {"trackdone": "trackdone", "fwdbtn": "fwdbtn"}.get(
                reason_end, "clickrow"
            )
        info = tracks[track]
        duration = info.duration_ms
        p_skip = skip_base * (0.7 if track in taste.hits else 1.35)
        if rng.random() < p_skip:
            ms, skipped, reason_end = 500 + int(29_000 * rng.random() ** 1.4), 1, "fwdbtn"
            gap = rng.randrange(200, 2_000)
        elif (j == n - 1 and rng.random() < 0.45) or rng.random() < 0.03:
            ms, skipped = rng.randrange(30_000, duration), 0
            reason_end = (
                "endplay"
                if j == n - 1
                else rng.choice(("endplay", "endplay", "logout", "unexpected-exit-while-paused"))
            )
            gap = rng.randrange(2_000, 20_000)
        else:
            ms, skipped, reason_end = duration, 0, "trackdone"
            gap = rng.randrange(0, 1_500)
        t += gap + ms
        out.append((t, track, ms, skipped, shuffle, reason_start, reason_end, platform))
        previous = track
    return out


def _make_times_unique(streams: list[Stream], start_ms: int, end_ms: int) -> None:
    """Nudge colliding end times by a millisecond so that no stream is a duplicate."""
    last = start_ms - 1
    for i, s in enumerate(streams):
        if s[0] <= last:
            streams[i] = (last + 1, *s[1:])
        last = streams[i][0]
    nxt = end_ms + 1
    for i in range(len(streams) - 1, -1, -1):
        if streams[i][0] < nxt:
            break
        streams[i] = (nxt - 1, *streams[i][1:])
        nxt = streams[i][0]
