"""Metadata settings, User-Agent, and the process-wide rate limiter (on a fake clock)."""

from __future__ import annotations

import threading

import pytest

from music_time_machine import __version__
from music_time_machine.config import ConfigError, load_config
from music_time_machine.metadata.ratelimit import RateLimiter, shared_limiter
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


def test_retry_after_reads_seconds_and_dates():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
