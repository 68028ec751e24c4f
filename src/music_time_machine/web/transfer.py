"""How answers travel: compressed when the browser accepts it, and private pages never
stored by a browser or proxy cache.

Pages and JSON hold a person's listening history, so they are sent ``no-store`` (a shared
computer's disk cache keeps nothing); static files set their own year-long lifetime in
static_assets.py. Compression is Flask-Compress: HTML, CSS, JavaScript, JSON and SVG
shrink to a fifth or less (Chart.js: 210 KB to about 70 KB).
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

#: Brotli first: it compresses text best among what browsers accept, at a speed close to
#: gzip at these levels; zstd, gzip and deflate for clients without it.
ALGORITHMS = ["br", "zstd", "gzip", "deflate"]

compress = Compress()


def _private_by_default(response: Response) -> Response:
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ALGORITHMS)
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "zstd", "deflate"])
    compress.init_app(app)
    # Registered after the compressor, so it runs before it (reverse order).
    app.after_request(_private_by_default)
