"""Settings page."""

from __future__ import annotations

from flask import Blueprint, render_template

from .current_user import login_required

bp = Blueprint("settings", __name__)


@bp.get("/settings")
@login_required
def index() -> str:
    return render_template("settings/index.html")
