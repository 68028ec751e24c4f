-- Speed at a million plays (issues #15, #16): a genre's page sums its artists' plays per
-- month. The monthly artist rollup is keyed month first, so those few artists' months were
-- found by reading every month row of the user (256,000 at a million plays, ~21 ms); by
-- artist first, they are the artists' own rows (~1 ms).
CREATE INDEX rollup_month_artist_by_artist
    ON rollup_month_artist(user_id, artist_id, month, plays);

-- The planner measures the new index (db/planner.py), so it is chosen where it fits and
-- nowhere else.
-- @step refresh_planner_statistics
