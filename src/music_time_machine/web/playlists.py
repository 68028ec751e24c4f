"""Playlists page."""

from __future__ import annotations

from flask import Blueprint, render_template

from .current_user import login_required

bp = Blueprint("playlists", __name__)


@bp.get("/playlists")
@login_required
def index() -> str:
    return render_template("playlists/index.html")
