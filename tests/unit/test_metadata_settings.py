"""Metadata settings, User-Agent, and the rate limiter (on a fake clock): in-process, and its
slot file shared between processes."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from music_time_machine import __version__
from music_time_machine.config import ConfigError, load_config
from music_time_machine.metadata.ratelimit import (
    MAX_HOLD_S,
    RateLimiter,
    SlotFile,
    shared_limiter,
)
from music_time_machine.metadata.service import retry_after_seconds
from music_time_machine.metadata.settings import MetadataSettings, user_agent


def settings(tmp_path, **env) -> MetadataSettings:
    return MetadataSettings.from_config(load_config({"MTM_DATA_DIR": str(tmp_path), **env}))


def test_defaults_point_at_the_public_services_at_one_request_a_second(tmp_path):
    s = settings(tmp_path)
    assert (s.musicbrainz_url, s.coverart_url, s.rate_per_s) == (
        "https://musicbrainz.org",
        "https://coverartarchive.org",
        1.0,
    )
    assert s.switched_on and s.contact == ""


def test_the_public_service_needs_a_contact(tmp_path):
    assert "MTM_CONTACT" in settings(tmp_path).disabled_reason()
    s = settings(tmp_path, MTM_CONTACT="me@example.org")
    assert s.enabled and s.user_agent == f"MusicTimeMachine/{__version__} ( me@example.org )"


def test_a_mirror_or_the_fake_needs_no_contact(tmp_path):
    s = settings(
        tmp_path,
        MTM_MUSICBRAINZ_URL="http://127.0.0.1:5002/",
        MTM_COVERART_URL="http://127.0.0.1:5002",
        MTM_MUSICBRAINZ_RATE="20",
    )
    assert s.enabled and s.musicbrainz_url == "http://127.0.0.1:5002" and s.rate_per_s == 20
    assert s.user_agent == f"MusicTimeMachine/{__version__}"


def test_enrich_0_turns_it_off(tmp_path):
    s = settings(tmp_path, MTM_ENRICH="0", MTM_CONTACT="me@example.org")
    assert not s.enabled and "MTM_ENRICH=0" in s.disabled_reason()


@pytest.mark.parametrize(
    "env",
    [
        {"MTM_CONTACT": "not a contact"},
        {"MTM_CONTACT": "me@example.org) evil: x"},
        {"MTM_MUSICBRAINZ_RATE": "0"},
        {"MTM_MUSICBRAINZ_RATE": "fast"},
        {"MTM_ENRICH": "maybe"},
    ],
)
def test_bad_values_are_refused_naming_the_setting(tmp_path, env):
    with pytest.raises(ConfigError, match=next(iter(env))):
        load_config({"MTM_DATA_DIR": str(tmp_path), **env})


def test_a_web_address_is_a_contact_too(tmp_path):
    assert settings(tmp_path, MTM_CONTACT="https://example.org/mtm").enabled
    assert user_agent("x@y.z").endswith("( x@y.z )")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_callers_are_spaced_one_interval_apart():
    clock = Clock()
    limiter = RateLimiter(2, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        limiter.acquire()  # the clock stands still: each caller waits for its own slot
    assert clock.slept == [0.5, 1.0, 1.5]


def test_an_idle_limiter_lets_the_next_caller_through_at_once():
    clock = Clock()
    limiter = RateLimiter(1, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 5
    limiter.acquire()
    assert clock.slept == []


def test_hold_makes_every_caller_wait():
    clock = Clock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    limiter.hold(3)
    limiter.acquire()
    limiter.acquire()
    assert clock.slept == [3.0, pytest.approx(3.1)]


def test_threads_get_distinct_slots():
    clock = Clock()
    lock = threading.Lock()
    limiter = RateLimiter(
        4, clock=clock, sleep=lambda s: (lock.acquire(), clock.slept.append(s), lock.release())
    )
    threads = [threading.Thread(target=limiter.acquire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(clock.slept) == [0.25 * k for k in range(1, 8)]


def test_one_limiter_per_service_root():
    a = shared_limiter("http://mirror.test:1/", 3)
    assert shared_limiter("http://mirror.test:1", 3) is a
    assert shared_limiter("http://other.test:1", 3) is not a
    shared_limiter("http://mirror.test:1", 5)
    assert a.rate_per_s == 5


def shared_pair(tmp_path, rate: float) -> tuple[Clock, RateLimiter, RateLimiter]:
    """Two limiters on one slot file and one clock: two processes sharing a data folder."""
    clock = Clock()
    path = tmp_path / "ratelimit" / "service.next"
    a, b = (RateLimiter(rate, clock=clock, sleep=clock.sleep, slots=SlotFile(path)) for _ in "ab")
    return clock, a, b


def test_limiters_sharing_a_slot_file_take_turns(tmp_path):
    clock, a, b = shared_pair(tmp_path, 2)
    for limiter in (a, b, a, b):
        limiter.acquire()  # the clock stands still: each caller waits for its own slot
    assert clock.slept == [0.5, 1.0, 1.5]
    assert float((tmp_path / "ratelimit" / "service.next").read_text()) == 102.0
    clock.now += 10
    b.acquire()  # idle since: free at once
    assert clock.slept == [0.5, 1.0, 1.5]


def test_a_hold_in_one_limiter_makes_the_other_wait(tmp_path):
    clock, a, b = shared_pair(tmp_path, 10)
    a.hold(3)
    b.acquire()
    a.acquire()
    assert clock.slept == [3.0, pytest.approx(3.1)]


def test_a_hold_is_bounded(tmp_path):
    clock, a, b = shared_pair(tmp_path, 10)
    a.hold(10_000)
    b.acquire()
    assert clock.slept == [MAX_HOLD_S]


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage\n", b"\xff\xfe", b"nan", b"inf", b"1e300", b"-5", str(100 + 3600).encode()],
)
def test_a_missing_or_unbelievable_slot_counts_as_free_now(tmp_path, content):
    clock, a, _b = shared_pair(tmp_path, 1)
    a.slots.path.parent.mkdir()
    a.slots.path.write_bytes(content)
    a.acquire()
    a.acquire()
    assert clock.slept == [1.0]  # the first went at once; only the interval after it


def test_a_believable_slot_ahead_is_waited_for(tmp_path):
    clock, a, _b = shared_pair(tmp_path, 1)
    a.slots.path.parent.mkdir()
    a.slots.path.write_text(f"{clock.now + 30}\n")  # another process's hold
    a.acquire()
    assert clock.slept == [30.0]


def test_the_slot_file_is_private_and_never_followed_through_a_symlink(tmp_path):
    clock, a, _b = shared_pair(tmp_path, 1)
    a.acquire()
    assert stat.S_IMODE(os.stat(a.slots.path).st_mode) == 0o600
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    a.slots.path.unlink()
    a.slots.path.symlink_to(target)
    a.acquire()
    a.acquire()  # the file is unusable: this process's own slots still space the calls
    assert target.read_text() == "keep"
    assert clock.slept == [1.0, 2.0]


def test_a_data_folder_gives_a_limiter_per_folder_on_a_file(tmp_path):
    shared = shared_limiter("http://mirror.test:2/", 4, tmp_path)
    assert shared_limiter("http://mirror.test:2", 4, tmp_path) is shared
    assert shared_limiter("http://mirror.test:2", 4) is not shared
    expected = SlotFile.for_service(tmp_path.resolve(), "http://mirror.test:2").path
    assert shared.slots is not None and shared.slots.path == expected


def test_retry_after_reads_seconds_and_dates():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
