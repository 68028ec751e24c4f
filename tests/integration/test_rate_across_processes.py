"""MusicBrainz's rate holds across processes that share a data folder (``mtm serve`` beside
``mtm enrich``): separate Python processes against the bundled fake over real HTTP, on the
real clock. The fake judges every request by its address, as MusicBrainz does."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from musicbrainz_helpers import AGENT

import music_time_machine
from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer

#: One process's part: wait for the common start, then ``count`` requests, giving up at the
#: first 503 (``max_attempts=1``), so a too-fast client shows in the fake's count.
CLIENT = """
import sys, time
from music_time_machine.metadata.musicbrainz import MusicBrainzClient
url, agent, data_dir, start_at, count, rate = sys.argv[1:]
client = MusicBrainzClient(url, agent, float(rate), 5, data_dir=data_dir, max_attempts=1)
time.sleep(max(0.0, float(start_at) - time.time()))
for _ in range(int(count)):
    client.genres(limit=5)
"""
PROCESSES, REQUESTS = 3, 8
#: Each process asks for 15/s of a fake that allows 20/s: alone, any of them keeps to it;
#: together, without sharing, they make 45/s. The margin absorbs a busy machine's
#: scheduling (a process waking late, then the next on time), not a missing share.
CLIENT_RATE, FAKE_RATE = 15, 20


def run_processes(url: str, data_dirs: list[Path]) -> list[tuple[int, str]]:
    """Each process's exit code and error output; they start their requests together."""
    source = str(Path(music_time_machine.__file__).parents[1])
    start_at = time.time() + 3.0  # time for every interpreter to start and import
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT, url, AGENT, str(folder), str(start_at)]
            + [str(REQUESTS), str(CLIENT_RATE)],
            env={"PYTHONPATH": source, "PATH": "/usr/bin:/bin"},
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in data_dirs
    ]
    errors = [proc.communicate(timeout=60)[1] for proc in procs]
    return [(proc.returncode, error) for proc, error in zip(procs, errors, strict=True)]


def test_processes_sharing_a_data_folder_keep_to_the_rate_together(tmp_path):
    with FakeMusicBrainzServer(seed=42, artists=20, rate=FAKE_RATE) as fake:
        results = run_processes(fake.url, [tmp_path] * PROCESSES)
        traffic = fake.traffic()
    assert [code for code, _err in results] == [0] * PROCESSES, results
    assert traffic["requests"] == PROCESSES * REQUESTS
    assert traffic["rate_limited"] == 0 and traffic["rate_exceeded"] is False
    assert len(list((tmp_path / "ratelimit").iterdir())) == 1  # one file for the one service


def test_processes_with_their_own_folders_are_too_fast_together(tmp_path):
    """The measurement above can fail: each process alone keeps to its rate, not the sum."""
    folders = [tmp_path / str(n) for n in range(PROCESSES)]
    with FakeMusicBrainzServer(seed=42, artists=20, rate=FAKE_RATE) as fake:
        results = run_processes(fake.url, folders)
        traffic = fake.traffic()
    assert traffic["rate_exceeded"] is True and traffic["rate_limited"] >= 1
    assert any(code != 0 for code, _err in results)
