"""The ``mtm`` command: demo, serve, init-db (and more as features land)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import create_app
from .config import ConfigError


def _app(**overrides: object):
    try:
        return create_app(overrides or None)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _serve(app, host: str, port: int, threads: int = 8) -> None:
    from waitress import serve

    click.echo(f"Music Time Machine is running at http://{host}:{port}/  (Ctrl+C to stop)")
    serve(app, host=host, port=port, threads=threads, ident="music-time-machine")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="music-time-machine")
def main() -> None:
    """Music Time Machine: a permanent archive of your Spotify listening."""


@main.command("init-db")
def init_db() -> None:
    """Create the database or apply pending migrations (safe to re-run)."""
    from .db import connect
    from .db.migrate import current_version

    app = _app()
    conn = connect(app.config["DATABASE"])
    try:
        click.echo(f"Database {app.config['DATABASE']} is at schema version "
                   f"{current_version(conn)}.")
    finally:
        conn.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the app with waitress (a production WSGI server)."""
    _serve(_app(), host, port, threads)


@main.command()
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--plays", default=25_000, show_default=True, type=click.IntRange(1000, 1_000_000),
              help="How many plays of demo history to generate (1k to 1M).")
@click.option("--seed", default=42, show_default=True, type=int,
              help="Random seed: the same seed gives the same history.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the demo database lives (default: <MTM_DATA_DIR>/demo).")
@click.option("--regenerate", is_flag=True, help="Throw away the demo database and start over.")
def demo(port: int, plays: int, seed: int, data_dir: Path | None, regenerate: bool) -> None:
    """Create (or reuse) a demo database full of realistic listening and serve it."""
    from .config import load_config

    data_dir = data_dir or Path(load_config()["MTM_DATA_DIR"]) / "demo"
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "music-time-machine.sqlite"
    if regenerate:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    app = _app(MTM_DATA_DIR=str(data_dir), DATABASE=str(db_path), MTM_LOCAL_MODE=True)
    ensure_demo_data(app, plays, seed)
    _serve(app, "127.0.0.1", port)


def ensure_demo_data(app, plays: int, seed: int) -> None:
    """Generate demo history unless the database already has some."""
    from .db import connect
    from .db.dashboard import has_listening
    from .db.users import ensure_local_user
    from .demo import generate_demo

    conn = connect(app.config["DATABASE"])
    try:
        user_id = ensure_local_user(conn, app.config["MTM_TIMEZONE"], "Demo Listener")
        if has_listening(conn, user_id):
            click.echo(f"Reusing the demo database at {app.config['DATABASE']}.")
            return
        click.echo(f"Generating {plays:,} demo plays (seed {seed})…")
        started = time.perf_counter()
        with click.progressbar(length=plays, label="Demo history", file=sys.stderr) as bar:
            last = [0]

            def progress(done: int, _total: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            stats = generate_demo(conn, user_id, plays=plays, seed=seed, progress=progress)
        click.echo(f"Generated {stats.plays:,} plays of {stats.tracks:,} tracks by "
                   f"{stats.artists:,} artists in {time.perf_counter() - started:.1f} s.")
    finally:
        conn.close()


if __name__ == "__main__":  # pragma: no cover
    main()
