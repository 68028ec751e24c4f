"""``/_fake/``: the fake MusicBrainz's control panel for tests and the demo (loopback only).

Read what the fake was asked (and whether any client was ever too fast), change the rate,
see the catalogue's ground truth, inject faults. See the package docstring for the reference.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import jsonify, request

from ...spotify.fake.faults import rule_from_json
from ..serving import control_blueprint
from .context import state
from .state import FakeMusicBrainzState


def _describe(fake: FakeMusicBrainzState) -> dict:
    """What ``GET /_fake/state`` answers: the rate, what the fake was asked, the faults."""
    return {
        "seed": fake.seed,
        "rate": fake.rate_limit.rate,
        "tolerance": fake.rate_limit.tolerance,
        "traffic": fake.traffic.to_json(),
        "faults": [r.to_json() for r in fake.faults.rules()],
    }


bp = control_blueprint("fake_mb_control", __name__, state, _describe)


def _bad(message: str):
    return jsonify({"error": message}), 400


@bp.post("/rate")
def set_rate():
    """``{"rate": requests per second}``; also forgets every client's bucket."""
    body = request.get_json(silent=True) or {}
    rate = body.get("rate") if isinstance(body, dict) else None
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0 < rate <= 1000:
        return _bad("rate must be a number of requests per second above 0 and at most 1000")
    fake = state()
    with fake.lock:
        fake.rate_limit.rate = float(rate)
        fake.rate_limit.reset()
    return jsonify({"rate": float(rate)})


@bp.get("/catalogue")
def catalogue():
    """Each world artist's fate (exact / name / missing) and MBIDs: the matcher's answers."""
    return jsonify({"artists": [asdict(t) for t in state().catalogue.truth]})


@bp.route("/faults", methods=["GET", "POST", "DELETE"])
def faults():
    fake = state()
    if request.method == "DELETE":
        fake.faults.clear()
    elif request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _bad("expected a JSON object")
        try:
            fake.faults.add(rule_from_json(body))
        except ValueError as error:
            return _bad(str(error))
    status = 201 if request.method == "POST" else 200
    return jsonify({"faults": [r.to_json() for r in fake.faults.rules()]}), status
