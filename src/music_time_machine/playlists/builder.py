"""From candidates to a preview: rank, push skipped tracks down, cap per artist, explain.

Ranking, for time-machine sources: ``weight × (1 − skip rate)²``, where the weight is the
plays in the source's window (or Spotify's top-list rank). A track skipped half the time
keeps a quarter of its weight, so a song you keep skipping sinks below songs you finish.

For moods: ``closeness × (0.6 + 0.4 × liking)``, where closeness (moods.py) says how well
the track fits the profile and liking is the same skip-adjusted plays on a log scale, 0..1
relative to your most played. Fit decides first; among similar fits, what you love wins.

Then at most ``per_artist`` tracks per (first-credited) artist (a year's top list is kept
whole), and ``size`` tracks, listed in the order the preview states (a mood's by fit, the
percentage each line shows; a time-machine list by its ranking).
Every track carries why it was chosen and where its score came from.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date

from .. import genres
from ..db import playlists as q
from ..db.explore import get_artist
from .moods import MOODS, closeness, describe_fit
from .options import PlaylistOptions, default_description, default_name
from .sources import Candidate, favourites, no_match_message, time_machine_candidates

HISTORY_SOURCE = "your play history"
FEATURE_SOURCES = {"spotify": "spotify audio features", "demo": "audio features (demo data)"}
#: How an artist's genre source is named in "why it matched".
GENRE_SOURCES = {"spotify": "Spotify", "musicbrainz": "MusicBrainz"}


class NoTracks(Exception):
    """Nothing to put in the playlist; the message says why and what to try."""


@dataclass
class PreviewTrack:
    track_id: int
    title: str
    artist: str
    album: str | None
    uri: str | None
    why: str
    score_source: str
    score: float
    #: The artists one by one ({"id", "name"}, credit order), for links to their pages.
    credits: list[dict] = field(default_factory=list)
    #: How well the track fits the mood (0..1), for mood playlists; None otherwise.
    fit: float | None = None

    @property
    def on_spotify(self) -> bool:
        return bool(self.uri and self.uri.startswith("spotify:track:"))

    def to_json(self) -> dict:
        return {**asdict(self), "on_spotify": self.on_spotify, "score": round(self.score, 4)}


@dataclass
class Preview:
    options: PlaylistOptions
    name: str
    description: str
    tracks: list[PreviewTrack]
    considered: int = 0
    notes: list[str] = field(default_factory=list)
    #: The order the tracks are listed in, in words (shown above the list).
    order: str = ""

    @property
    def uris(self) -> list[str]:
        return [t.uri for t in self.tracks if t.on_spotify]

    @property
    def without_uri(self) -> list[PreviewTrack]:
        return [t for t in self.tracks if not t.on_spotify]

    @property
    def track_ids(self) -> list[int]:
        return [t.track_id for t in self.tracks]

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "source": self.options.source,
            "source_label": self.options.label,
            "public": self.options.public,
            "size": self.options.size,
            "selection_key": self.options.selection_key(),
            "track_ids": self.track_ids,
            "uris": self.uris,
            "considered": self.considered,
            "notes": self.notes,
            "order": self.order,
            "tracks": [t.to_json() for t in self.tracks],
            "skipped": [{"title": t.title, "artist": t.artist} for t in self.without_uri],
        }


Ranked = list[tuple[float, PreviewTrack, int | None]]  # (score, track, first artist id)


def liking(candidate: Candidate) -> float:
    """Plays, discounted by the skip rate: how much the user seems to like the track."""
    base = candidate.weight if candidate.weight is not None else float(candidate.plays)
    return base * (1.0 - candidate.skip_rate) ** 2


def _score_source(details: q.TrackDetails) -> tuple[dict[str, float | None] | None, str]:
    """The features to judge a mood by, and where they came from (best source first)."""
    if details.features_source and any(v is not None for v in details.features.values()):
        return details.features, FEATURE_SOURCES.get(
            details.features_source, f"{details.features_source} features"
        )
    found = genres.estimate_with_tags(details.genres, details.tags)
    if found is not None:
        features, used_genres, used_tags = found
        reasons = [
            f"genre: {g} ({GENRE_SOURCES.get(details.genre_sources.get(g), 'Spotify')})"
            for g in used_genres[:3]
        ] + [f"tag: {t}" for t in used_tags[:3]]
        return features, "estimated from " + "; ".join(reasons)
    return None, HISTORY_SOURCE


def _cap_per_artist(ranked: Ranked, per_artist: int, size: int) -> list[PreviewTrack]:
    chosen, per = [], {}
    for _, track, artist in ranked:
        key = artist if artist is not None else -track.track_id
        if per.get(key, 0) >= per_artist:
            continue
        per[key] = per.get(key, 0) + 1
        chosen.append(track)
        if len(chosen) == size:
            break
    return chosen


def _track(details: q.TrackDetails, why: str, source: str, score: float) -> PreviewTrack:
    return PreviewTrack(
        details.id,
        details.name,
        ", ".join(details.artists) or "Unknown artist",
        details.album,
        details.uri,
        why,
        source,
        score,
        [{"id": i, "name": n} for i, n in zip(details.artist_ids, details.artists, strict=True)],
    )


def _rank_history(candidates: list[Candidate], details: dict[int, q.TrackDetails]) -> Ranked:
    ranked = []
    for c in candidates:
        d = details.get(c.track_id)
        if d is None:
            continue
        why = c.why
        if c.streams and c.skip_rate >= 0.5:
            why += f"; skipped {round(c.skip_rate * 100)}% of the time, so ranked lower"
        ranked.append(
            (
                liking(c),
                _track(d, why, HISTORY_SOURCE, liking(c)),
                d.artist_ids[0] if d.artist_ids else None,
            )
        )
    ranked.sort(key=lambda item: (-item[0], -item[1].score, item[1].track_id))
    return ranked


def _rank_mood(
    options: PlaylistOptions, candidates: list[Candidate], details: dict[int, q.TrackDetails]
) -> Ranked:
    mood = MOODS[options.source]
    likes = {c.track_id: liking(c) for c in candidates}
    top = math.log1p(max(likes.values(), default=0.0)) or 1.0
    ranked = []
    for c in candidates:
        d = details.get(c.track_id)
        if d is None:
            continue
        features, source = _score_source(d)
        fit = closeness(mood, features) if features is not None else None
        if fit is None:
            continue
        score = fit * (0.6 + 0.4 * math.log1p(likes[c.track_id]) / top)
        why = (
            f"{int(fit * 100)}% {mood.label.lower()} fit ({describe_fit(mood, features)}); {c.why}"
        )
        track = _track(d, why, source, score)
        track.fit = fit
        ranked.append((score, track, d.artist_ids[0] if d.artist_ids else None))
    ranked.sort(key=lambda item: (-item[0], item[1].track_id))
    return ranked


#: The words for each order a preview can be listed in (see ``_listing_order``).
ORDER_BY_FIT = "Listed by mood fit, best first (chosen among the tracks you play most)."
ORDER_BY_PLAYS = "Listed by your plays, most first; tracks you often skip sink lower."
ORDER_BY_SPOTIFY = (
    "Listed in the order of your Spotify top tracks; tracks you often skip sink lower."
)
ORDER_BY_YEAR = "Listed in the order of your year in review; tracks you often skipped sink lower."
ORDER_AS_PREVIEWED = "Listed in the order you previewed them."


def _listing_order(
    options: PlaylistOptions, candidates: list[Candidate], tracks: list[PreviewTrack]
) -> str:
    """Put the chosen tracks in the order the preview says, and return those words.

    A mood's tracks are chosen by fit and liking together but listed by the fit alone, the
    percentage each line shows, so the list reads top-down; a time-machine list keeps its
    ranking (plays, or Spotify's or the year's top-list rank, skips pushing down).
    """
    if options.is_mood:
        tracks.sort(key=lambda t: (-int((t.fit or 0.0) * 100), -t.score, t.track_id))
        return ORDER_BY_FIT
    if options.source == "year":
        return ORDER_BY_YEAR
    if candidates and candidates[0].weight is not None:
        return ORDER_BY_SPOTIFY
    return ORDER_BY_PLAYS


def _artist_name(conn: sqlite3.Connection, user_id: int, options: PlaylistOptions) -> str | None:
    """The name of the one artist the options are limited to; NoTracks when that id is not
    an artist of this user (another user's id looks exactly like a missing one)."""
    if options.artist_id is None:
        return None
    artist = get_artist(conn, user_id, options.artist_id)
    if artist is None:
        raise NoTracks(
            "There is no such artist in your library: choose forgotten gems "
            "from an artist's page, or leave the artist out."
        )
    return artist["name"]


def build_preview(
    conn: sqlite3.Connection, user_id: int, options: PlaylistOptions, today: date
) -> Preview:
    """The tracks a playlist with these options would hold. Raises NoTracks when none."""
    artist = _artist_name(conn, user_id, options)
    first, _ = q.history_span(conn, user_id)
    if first is None:
        raise NoTracks(
            "There is no listening history yet. Connect Spotify or import your "
            "Spotify data export in Settings; playlists are made from what you "
            "have played."
        )
    if options.is_mood:
        candidates = favourites(conn, user_id)
    else:
        candidates = time_machine_candidates(conn, user_id, options, today)
    details = q.track_details(conn, [c.track_id for c in candidates])
    if options.is_mood:
        ranked = _rank_mood(options, candidates, details)
    else:
        ranked = _rank_history(candidates, details)
    tracks = _cap_per_artist(ranked, options.artist_cap, options.size)
    if not tracks:
        raise NoTracks(
            no_match_message(
                options, q.unenriched_artist_count(conn, user_id) if options.is_mood else 0
            )
        )
    preview = Preview(
        options,
        options.name or default_name(options, today, artist),
        options.description or default_description(options),
        tracks,
        considered=len(candidates),
        order=_listing_order(options, candidates, tracks),
    )
    if len(tracks) < options.size:
        preview.notes.append(
            f"Only {len(tracks)} of the {options.size} tracks you asked for qualify"
            + ("." if options.source == "year" else f" (at most {options.per_artist} per artist).")
        )
    if preview.without_uri:
        preview.notes.append(
            f"{len(preview.without_uri)} track(s) have no Spotify link (imported from the "
            "account-data export) and will be skipped when the playlist is created."
        )
    return preview


def pinned_preview(
    conn: sqlite3.Connection,
    user_id: int,
    options: PlaylistOptions,
    today: date,
    track_ids: list[int],
) -> Preview:
    """The preview the user saw, exactly: rebuilt, or re-assembled from its track ids.

    Creating must add exactly the previewed tracks in order, even if a sync landed in
    between and would now rank them differently. Only tracks the user has played are kept.
    """
    try:
        fresh = build_preview(conn, user_id, options, today)
    except NoTracks:
        fresh = None
    if fresh is not None and fresh.track_ids == track_ids:
        return fresh
    ids = q.played_track_ids(conn, user_id, track_ids)
    details = q.track_details(conn, ids)
    known = {t.track_id: t for t in fresh.tracks} if fresh else {}
    tracks = [
        known.get(i) or _track(details[i], "chosen in your preview", HISTORY_SOURCE, 0.0)
        for i in ids
        if i in details
    ]
    if not tracks:
        raise NoTracks(no_match_message(options))
    return Preview(
        options,
        options.name or default_name(options, today),
        options.description or default_description(options),
        tracks,
        considered=len(track_ids),
        order=ORDER_AS_PREVIEWED,
    )
