"""The Playlist Manager's logic: where candidates come from, how they are scored and chosen,
and how a chosen list becomes a Spotify playlist.

- ``sources``: the time-machine questions (forgotten gems, on this day, ...) as candidates;
- ``moods`` (with ``..genres``, the genre table): closeness of a track to a mood, from Spotify's
  audio features or, without them, from estimates by genre;
- ``options``: the form's choices, validated once for the HTML and the JSON views;
- ``builder``: candidates → a ranked, artist-capped preview that says why each track is in;
- ``creator``: the preview → a playlist on Spotify, resumable when adding tracks fails.
"""
