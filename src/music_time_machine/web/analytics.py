"""Analytics page."""

from __future__ import annotations

from flask import Blueprint, render_template

from .current_user import login_required

bp = Blueprint("analytics", __name__)


@bp.get("/analytics")
@login_required
def index() -> str:
    return render_template("analytics/index.html")
