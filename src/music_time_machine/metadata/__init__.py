"""Open music metadata: MusicBrainz (genres, tags, artist ids) and the Cover Art Archive.

- ``musicbrainz.MusicBrainzClient``: URL lookups (batched), artist lookup with genres and
  tags, artist and recording search, the genre list; typed results (dataclasses).
- ``coverart.CoverArtClient``: a release group's front image, and downloads with a size cap
  and a content-type check.
- ``settings.MetadataSettings``: the ``MTM_*`` settings, the User-Agent, whether enrichment
  may run, and the two clients built from them.
- ``ratelimit``: one limiter per service shared by every thread of the process and, through
  a slot file in the data folder, by every process using that folder;
  ``service``: the retry policy both clients share; ``errors``: what they raise.

The bundled fake of both services is ``sandbox.fake_musicbrainz``.
"""
