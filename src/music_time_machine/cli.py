"""The ``mtm`` command: demo, serve, init-db (and more as features land)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from . import create_app
from .config import ConfigError


def _app(**overrides: object):
    try:
        return create_app(overrides or None)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


#: How long a shutdown waits for background work before leaving it to roll back.
SHUTDOWN_GRACE_S = 60.0


def configure_logging(level: str = "INFO") -> None:
    """One format for the app, the access log and waitress (idempotent)."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _raise_interrupt(signum: int, _frame: object) -> None:
    """SIGTERM (systemd, docker stop) ends the server exactly like Ctrl+C does."""
    raise KeyboardInterrupt(f"signal {signum}")


def _undo_abandoned_writes(app) -> None:
    """Undo what a previous server left half-written: a file imported in several slices,
    a re-count's staged dates; then remove the pictures nobody shows any more (a crash
    between a clear's commit and its pruning, or the undone files' albums, leave them:
    see metadata/image_pruning.py). (Its jobs were already marked stopped, and their
    uploads removed, by create_app: see uploads.py.)

    Done here, not in create_app: the CLI's other commands (cron's ``mtm sync``) also build
    the app, and must not undo a file that the running server is still importing.
    """
    from .db import connect
    from .db.import_slices import undo_abandoned_files
    from .db.recount import discard_abandoned_stages
    from .metadata.image_pruning import prune_unshown_images
    from .metadata.image_store import ImageStore

    conn = connect(app.config["DATABASE"])
    try:
        files = undo_abandoned_files(conn)
        discard_abandoned_stages(conn)
        prune_unshown_images(conn, ImageStore.in_data_dir(app.config["MTM_DATA_DIR"]))
    finally:
        conn.close()
    if files:
        logging.getLogger(__name__).warning(
            "removed %s file(s) a previous run left half-imported", files
        )


def _serve(app, host: str, port: int, threads: int = 8) -> None:
    """Serve with waitress and the background sync; stop cleanly on SIGTERM or Ctrl+C.

    Shutdown order: stop accepting connections (waitress lets running requests finish for
    a few seconds), stop the sync scheduler after its current step, then wait for one-off
    syncs and imports (up to ``SHUTDOWN_GRACE_S``).
    """
    from waitress import create_server

    from .background import wait_for_background
    from .metadata.jobs import pause_all, resume_wanted
    from .spotify.background import SyncScheduler

    configure_logging(app.config.get("MTM_LOG_LEVEL", "INFO"))
    _undo_abandoned_writes(app)
    server = create_server(app, host=host, port=port, threads=threads, ident="music-time-machine")
    port = getattr(server, "effective_port", port)
    scheduler = SyncScheduler(app).start() if app.config.get("SPOTIFY_CLIENT_ID") else None
    resume_wanted(app)  # enrichment a stopped server left unfinished continues
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Music Time Machine is running at http://{shown}:{port}/  (Ctrl+C to stop)")
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        server.run()  # returns after KeyboardInterrupt (Ctrl+C or SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)
        click.echo("Stopping: no new requests; waiting for running work to finish…")
        with contextlib.suppress(Exception):
            server.close()
        if scheduler is not None:
            scheduler.stop()
        _pause_enrichment(app, pause_all)  # long runs stop now and resume at the next start
        left = wait_for_background(SHUTDOWN_GRACE_S)
        if left:
            click.echo(f"Stopped; unfinished work is rolled back: {', '.join(left)}")
        else:
            click.echo("Stopped.")


def _pause_enrichment(app, pause_all) -> None:
    from .db import connect

    conn = connect(app.config["DATABASE"])
    try:
        pause_all(conn)
    finally:
        conn.close()


def _refuse_open_local_mode(app, host: str) -> None:
    """Local mode has no sign-in: only 127.0.0.1 unless a password guards every page."""
    from .ops_check import is_loopback_host
    from .web.current_user import local_mode

    with app.app_context():
        local = local_mode()
    if not local or app.config.get("MTM_PASSWORD"):
        return
    if not is_loopback_host(host):
        raise click.ClickException(
            f"Refusing to listen on {host}: in local mode there is no sign-in, so anyone "
            "who can reach this address would see (and delete) your whole listening "
            "history.\nFix it in one of these ways:\n"
            "  * set MTM_PASSWORD to a long password (every page then asks for it), or\n"
            "  * configure Spotify sign-in (SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET; "
            "each user signs in with Spotify), or\n"
            "  * listen on 127.0.0.1 (the default) behind a reverse proxy that asks for a "
            "password itself."
        )
    if int(app.config.get("MTM_TRUSTED_PROXIES") or 0):
        click.echo(
            "Warning: local mode without MTM_PASSWORD behind a reverse proxy: unless "
            "the proxy asks for a password, anyone reaching it sees everything.",
            err=True,
        )


def _warn_about_host_names(app, host: str) -> None:
    """On a network address, say which names answer (others get 400: DNS rebinding)."""
    from .hosts import allowed_host_names, is_loopback_host

    if is_loopback_host(host):
        return
    names = [n for n in allowed_host_names(app.config) if not is_loopback_host(n)]
    if names:
        click.echo(
            f"Answering to {', '.join(names)} (and loopback names); other host "
            "names get 400. Add more with MTM_ALLOWED_HOSTS.",
            err=True,
        )
    else:
        click.echo(
            f"Warning: listening on {host}, but only loopback names are allowed: "
            "other devices get 400 until you list the name or address they use, "
            "e.g. MTM_ALLOWED_HOSTS=nas.local,192.168.1.20",
            err=True,
        )


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
        click.echo(
            f"Database {app.config['DATABASE']} is at schema version {current_version(conn)}."
        )
    finally:
        conn.close()


F = TypeVar("F", bound=Callable[..., object])


def user_option(help_text: str) -> Callable[[F], F]:
    """The ``--user ID`` option of the commands that act for one user (``user_id``, None
    when absent); ``help_text`` says what the command does without it."""
    return click.option("--user", "user_id", type=int, default=None, help=help_text)


def listen_options(port: int) -> Callable[[F], F]:
    """``--host`` and ``--port`` of the commands that serve HTTP, alike in each (``port``:
    the default)."""

    def add(command: F) -> F:
        command = click.option(
            "--port",
            default=port,
            show_default=True,
            type=click.IntRange(0, 65535),
            help="Port to listen on (0 picks a free one).",
        )(command)
        return click.option(
            "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
        )(command)

    return add


@main.command()
@listen_options(5000)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the app with waitress (a production WSGI server) and the background sync."""
    app = _app()
    _refuse_open_local_mode(app, host)
    _warn_about_host_names(app, host)
    _serve(app, host, port, threads)


@main.command()
def check() -> None:
    """Check the configuration and say how to fix what is wrong (exit code 1 if anything is)."""
    from dotenv import load_dotenv

    from .ops_check import format_findings, run_checks

    load_dotenv(Path.cwd() / ".env", override=False)
    findings = run_checks(dict(os.environ))
    click.echo(format_findings(findings))
    if any(f.level == "error" for f in findings):
        sys.exit(1)


@main.command()
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the backups (created if missing).",
)
@click.option(
    "--keep",
    default=7,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many backups to keep; older ones in --output are deleted.",
)
def backup(output: Path, keep: int) -> None:
    """Back up the whole database consistently while the server runs (for cron)."""
    from .config import load_config
    from .ops_backup import BackupError, backup_database

    try:
        config = load_config()
        result = backup_database(config["DATABASE"], output, keep=keep)
    except (ConfigError, BackupError) as error:
        raise click.ClickException(str(error)) from None
    removed = len(result.removed)
    click.echo(
        f"Backed up to {result.path} ({result.size_bytes / 1e6:.1f} MB)"
        + (f"; removed {removed} older backup{'s' if removed != 1 else ''}." if removed else ".")
    )


@main.command()
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--plays",
    default=25_000,
    show_default=True,
    type=click.IntRange(1000, 1_000_000),
    help="How many plays of demo history to generate (1k to 1M).",
)
@click.option(
    "--seed",
    default=42,
    show_default=True,
    type=int,
    help="Random seed: the same seed gives the same history.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the demo database lives (default: <MTM_DATA_DIR>/demo).",
)
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
    from .sandbox.fake_musicbrainz import FakeMusicBrainzServer
    from .spotify.fake import FakeSpotifyServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the sandbox's request log
    fake = FakeSpotifyServer(seed=seed).start()
    click.echo(f"Fake Spotify (the bundled sandbox) is running at {fake.url}")
    # The fake allows a little more than the app asks for, so network jitter never trips it.
    metadata = FakeMusicBrainzServer(seed=seed, rate=DEMO_MUSICBRAINZ_RATE * 1.25).start()
    click.echo(f"Fake MusicBrainz + Cover Art Archive is running at {metadata.url}")
    app = _app(
        MTM_DATA_DIR=str(data_dir),
        DATABASE=str(db_path),
        MTM_LOCAL_MODE=True,
        SPOTIFY_CLIENT_ID=fake.client_id,
        SPOTIFY_CLIENT_SECRET=fake.client_secret,
        SPOTIFY_REDIRECT_URI=f"http://127.0.0.1:{port}/callback",
        MTM_SPOTIFY_ACCOUNTS_URL=fake.accounts_url,
        MTM_SPOTIFY_API_URL=fake.api_url,
        MTM_ENRICH=True,
        MTM_MUSICBRAINZ_URL=metadata.url,
        MTM_COVERART_URL=metadata.url,
        MTM_MUSICBRAINZ_RATE=DEMO_MUSICBRAINZ_RATE,
    )
    ensure_demo_data(app, plays, seed)
    teach_sandbox(app, fake.url)
    want_demo_enrichment(app)
    try:
        _serve(app, "127.0.0.1", port)  # starts the enrichment run (resume_wanted)
    finally:
        fake.stop()
        metadata.stop()


#: Requests per second the demo's enrichment makes to its fake MusicBrainz: the demo's
#: genres are complete within a minute (the public service allows 1).
DEMO_MUSICBRAINZ_RATE = 20.0


def want_demo_enrichment(app) -> None:
    """Ask for an enrichment run when the demo has artists not yet looked up: the demo's
    genres come from (fake) MusicBrainz, as a real user's do."""
    from .db import connect
    from .db import enrichment as store
    from .db.users import ensure_local_user

    conn = connect(app.config["DATABASE"])
    try:
        user_id = ensure_local_user(conn, app.config["MTM_TIMEZONE"], "Demo Listener")
        if store.counts(conn, user_id).pending:
            store.want(conn, user_id, "demo")
            click.echo(
                "Finding the demo artists' genres on the fake MusicBrainz in the "
                "background (Settings › Genres and artwork shows the progress)."
            )
    finally:
        conn.close()


def teach_sandbox(app, fake_url: str) -> None:
    """Tell the fake Spotify about the demo's tracks, so playlists of them can be created.

    Both draw from the same sandbox world, but the fake serves only its most popular artists,
    and a reused demo database may come from another seed.
    """
    import requests

    from .db import connect
    from .db.catalogue import spotify_tracks
    from .db.users import ensure_local_user

    conn = connect(app.config["DATABASE"])
    try:
        tracks = spotify_tracks(
            conn, ensure_local_user(conn, app.config["MTM_TIMEZONE"], "Demo Listener")
        )
    finally:
        conn.close()
    requests.post(
        f"{fake_url}/_fake/catalogue", json={"tracks": tracks}, timeout=60
    ).raise_for_status()


def ensure_demo_data(app, plays: int, seed: int) -> None:
    """Generate demo history unless the database already has some."""
    from .db import connect
    from .db.plays import has_plays
    from .db.users import ensure_local_user
    from .demo import generate_demo

    conn = connect(app.config["DATABASE"])
    try:
        user_id = ensure_local_user(conn, app.config["MTM_TIMEZONE"], "Demo Listener")
        if has_plays(conn, user_id):
            click.echo(f"Reusing the demo database at {app.config['DATABASE']}.")
            return
        click.echo(f"Generating {plays:,} demo plays (seed {seed})…")
        started = time.perf_counter()
        with click.progressbar(length=plays, label="Demo history", file=sys.stderr) as bar:
            last = [0]

            def progress(done: int, _total: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            # About 65k plays a year is a heavy listener: larger demos span more years.
            stats = generate_demo(
                conn,
                user_id,
                plays=plays,
                seed=seed,
                years=max(3.0, plays / 65_000),
                progress=progress,
            )
        click.echo(
            f"Generated {stats.plays:,} plays of {stats.tracks:,} tracks by "
            f"{stats.artists:,} artists in {time.perf_counter() - started:.1f} s."
        )
    finally:
        conn.close()


@contextlib.contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[Any], None]]:
    """A progress bar on stderr and the callback that moves it: a job's progress reports
    (import, enrichment) each carry the ``fraction`` done."""
    with click.progressbar(length=1000, label=label, file=sys.stderr) as bar:
        shown = [0]

        def progress(report: Any) -> None:
            target = int(report.fraction * 1000)
            bar.update(target - shown[0])
            shown[0] = target

        yield progress


def _target_user(conn: sqlite3.Connection, timezone: str, user_id: int | None) -> int:
    """The user a command acts for: ``--user`` if that user exists (a clear error if not),
    else the single local user, created on first use, so a fresh install needs no flag."""
    from .db.users import ensure_local_user, get_user

    if user_id is None:
        return ensure_local_user(conn, timezone)
    if get_user(conn, user_id) is None:
        raise click.ClickException(f"There is no user {user_id}.")
    return user_id


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@user_option("Import into this user id (default: the local user).")
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
def import_command(paths: tuple[Path, ...], user_id: int | None, dry_run: bool) -> None:
    """Import a Spotify data export: my_spotify_data.zip, folders or JSON files."""
    from .db import connect
    from .importers import format_summary_table, run_import

    app = _app()
    conn = connect(app.config["DATABASE"])
    try:
        user_id = _target_user(conn, app.config["MTM_TIMEZONE"], user_id)
        with _progress_bar("Importing") as progress:
            summary = run_import(
                conn,
                user_id,
                list(paths),
                dry_run=dry_run,
                max_file_bytes=app.config["MAX_CONTENT_LENGTH"],
                progress=progress,
            )
        if summary.ok and not dry_run:  # the server (or ``mtm enrich``) finds the genres
            from .db import enrichment as store

            store.want(conn, user_id, "import")
    finally:
        conn.close()
    click.echo(format_summary_table(summary))
    click.echo(summary.headline() + f" ({summary.seconds:.1f} s)")
    if not summary.ok:
        sys.exit(1)


@main.command()
@user_option("Sync only this user id (default: every connected account).")
def sync(user_id: int | None) -> None:
    """Sync from Spotify now (for cron); prints one line per account."""
    from .db import accounts, connect
    from .spotify.background import run_sync

    app = _app()
    conn = connect(app.config["DATABASE"])
    try:
        user_ids = [user_id] if user_id is not None else accounts.connected_user_ids(conn)
    finally:
        conn.close()
    if not user_ids:
        raise click.ClickException("No connected Spotify account to sync.")
    failed = False
    for uid in user_ids:
        result = run_sync(app, uid, "cli")
        click.echo(
            f"user {uid}: {result.outcome}, {result.plays_added} new plays"
            + (f" ({result.error})" if result.error else "")
        )
        failed |= result.outcome in ("failed", "needs_reconnect")
    if failed:
        sys.exit(1)


@main.command()
@user_option("Enrich this user id (default: the local user).")
def enrich(user_id: int | None) -> None:
    """Find genres and tags for your artists on MusicBrainz now, with a progress bar.

    Runs as the server's enrichment job does (Settings shows it, and its Cancel stops it).
    Stops cleanly on Ctrl+C; the next run (or the server's) continues where it stopped.
    """
    from .background import JobRunning
    from .db import connect
    from .metadata.jobs import run_enrichment_here
    from .metadata.settings import MetadataSettings

    app = _app()
    settings = MetadataSettings.from_config(app.config)
    if settings.disabled_reason():
        raise click.ClickException(settings.disabled_reason())
    conn = connect(app.config["DATABASE"])
    try:
        user_id = _target_user(conn, app.config["MTM_TIMEZONE"], user_id)
        try:
            with _progress_bar("Finding genres and artwork") as progress:
                job, summary = run_enrichment_here(app, conn, user_id, progress)
        except JobRunning:
            raise click.ClickException(
                "This user's artists are already being looked up, by the server or another "
                "mtm enrich (Settings › Genres and artwork shows its progress)."
            ) from None
    finally:
        conn.close()
    if summary is not None:
        click.echo(summary.headline() + f" ({summary.seconds:.1f} s)")
    elif job is not None:
        click.echo(job["message"])
    if summary is None or not summary.ok:
        sys.exit(1)


@main.command("fake-spotify")
@listen_options(5001)
@click.option(
    "--mode",
    type=click.Choice(["dev", "extended"]),
    default="dev",
    show_default=True,
    help="dev: a 2026 development-mode app (no audio features, no genres).",
)
@click.option("--seed", default=1, show_default=True, type=int)
def fake_spotify(host: str, port: int, mode: str, seed: int) -> None:
    """Run the bundled fake Spotify (accounts service + Web API) for offline use."""
    from .spotify.fake import run_fake_spotify

    run_fake_spotify(host, port, mode, seed)


@main.command("fake-musicbrainz")
@listen_options(5002)
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help="The sandbox world's seed (use the demo's, 42, to match its artists).",
)
@click.option(
    "--rate",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01, 1000),
    help="Requests per second each client may make (MusicBrainz allows 1).",
)
def fake_musicbrainz(host: str, port: int, seed: int, rate: float) -> None:
    """Run the bundled fake MusicBrainz + Cover Art Archive for offline use."""
    from .sandbox.fake_musicbrainz import run_fake_musicbrainz

    run_fake_musicbrainz(host, port, seed, rate)


if __name__ == "__main__":  # pragma: no cover
    main()
