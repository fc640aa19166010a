"""The `tournages` command: Flask's CLI group plus the project's own commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from core import embedded_db, embedded_redis
from core.db import database_url, db, migration_database_url, unit_of_work
from core.errors import ApiError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_database(revision: str = "head") -> None:
    """Bring the schema to REVISION; safe to run again or from two processes at once."""
    from alembic import command

    command.upgrade(alembic_config(), revision)


db_cli = click.Group("db", help="The database: migrations and the embedded cluster.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    upgrade_database(revision)
    click.echo(f"Database at {revision}.")
    if migration_database_url(current_app) == database_url(current_app):
        click.echo(
            "Warning: the app connects as the schema owner (MIGRATION_DATABASE_URL unset), so "
            "it could rewrite the audit log; see docs/security.md, 'Database roles'.",
            err=True,
        )


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Generate a migration from the models (review it before committing)."""
    from alembic import command

    import core.models  # noqa: F401  (registers every table on the metadata)

    command.revision(alembic_config(), message=message, autogenerate=True)


@db_cli.command("url")
def db_url() -> None:
    """Print the database URL in use (starting the embedded cluster if needed)."""
    click.echo(database_url(current_app))


@db_cli.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster."""
    click.echo("Stopped." if embedded_db.stop() else "Not running.")


redis_cli = click.Group("redis", help="The embedded Redis of the tests (core.embedded_redis).")


@redis_cli.command("url")
def redis_url() -> None:
    """Print the embedded Redis's rate-limit store URL (starting it if needed)."""
    click.echo(embedded_redis.ensure_running().url)


@redis_cli.command("stop")
def redis_stop() -> None:
    """Stop the embedded Redis."""
    click.echo("Stopped." if embedded_redis.stop() else "Not running.")


communes_cli = click.Group("communes", help="The Walloon communes reference layer.")


@communes_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def communes_load(path: Path) -> None:
    """Import a commune boundary set (GeoJSON, EPSG:4326) in one transaction."""
    from core.communes.operations import CommuneFileError, load_communes

    try:
        with unit_of_work(db.session):
            report = load_communes(db.session, path)
    except CommuneFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Communes: {len(report.created)} created, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged, {len(report.retired)} retired, "
        f"{len(report.deleted)} deleted."
    )


users_cli = click.Group("users", help="Accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "scout", "officer"])
)
@click.option("--commune", "commune_nis", help="NIS code of an officer's commune.")
@click.option("--name", "display_name", help="Name shown in the application.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(
    email: str, role: str, commune_nis: str | None, display_name: str | None, password_stdin: bool
) -> None:
    """Create an account (without --password-stdin it can only use API tokens)."""
    from core.auth.operations import create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    run_as_unit_of_work(
        lambda: create_user(
            db.session,
            email,
            role,
            password=password,
            commune_nis=commune_nis,
            display_name=display_name,
        )
    )
    click.echo(f"Created {role} {email}.")


@users_cli.command("list")
def users_list() -> None:
    """List every account: id, e-mail, role, commune, enabled or disabled."""
    from core.auth.operations import all_users

    for user in all_users(db.session):
        state = "enabled" if user.is_enabled else "disabled"
        click.echo(
            f"{user.id}\t{user.email}\t{user.role.value}\t{user.commune_nis or '-'}\t{state}"
        )


@users_cli.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable EMAIL's account: no log-in, every session ends, every API token is revoked."""
    from core.auth.operations import disable_user

    user = _user_by_email(email)
    revoked = run_as_unit_of_work(lambda: disable_user(db.session, user))
    click.echo(f"Disabled {user.email}; {revoked} token(s) revoked, every session ended.")


def _user_by_email(email: str):
    from core.auth.operations import find_user

    user = find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    return user


tokens_cli = click.Group("tokens", help="API tokens.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--label", help="What the token is for.")
def tokens_create(email: str, label: str | None) -> None:
    """Create an API token for EMAIL and print it (it is shown only this once)."""
    from core.auth.operations import create_token

    user = _user_by_email(email)
    click.echo(run_as_unit_of_work(lambda: create_token(db.session, user, label)))


@tokens_cli.command("list")
@click.argument("email")
def tokens_list(email: str) -> None:
    """List EMAIL's tokens: id, label, created, last used, revoked (never the token)."""
    from core.auth.operations import tokens_of

    for token in tokens_of(db.session, _user_by_email(email)):
        times = (token.created_at, token.last_used_at, token.revoked_at)
        shown = [t.isoformat(timespec="seconds") if t else "-" for t in times]
        click.echo("\t".join([str(token.id), token.label or "-", *shown]))


@tokens_cli.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
def tokens_revoke(token_id: int) -> None:
    """Revoke the token with id TOKEN_ID (see `tokens list`)."""
    from core.auth.models import ApiToken
    from core.auth.operations import revoke_token

    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token {token_id}.")
    run_as_unit_of_work(lambda: revoke_token(token))
    click.echo(f"Revoked token {token_id} of {token.user.email}.")


demo_cli = click.Group("demo", help="Demonstration data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load (or refresh) the demo data of every feature; safe to run again."""
    from core.demo import load_all

    for line in run_as_unit_of_work(lambda: load_all(db.session)):
        click.echo(line)


@click.command("backup")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path | None) -> None:
    """Back up the database and the upload folder into one archive in DIRECTORY
    (default: instance/backups)."""
    from core.backup import BackupError, create_backup

    directory = directory or Path(current_app.instance_path) / "backups"
    try:
        archive = create_backup(
            migration_database_url(current_app),
            Path(current_app.config["UPLOAD_FOLDER"]),
            directory,
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(archive)


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database",
    "database_name",
    help="Restore into this database of the same server (created if missing; must be empty). "
    "Default: the configured database, which must then be empty.",
)
@click.option(
    "--upload-folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the uploaded files (must be empty). Default: the configured one.",
)
@click.option(
    "--allow-readable",
    is_flag=True,
    help="Restore even an archive that other users may read (refused by default).",
)
def restore_command(
    archive: Path, database_name: str | None, upload_folder: Path | None, allow_readable: bool
) -> None:
    """Restore a backup archive into a new or empty database and upload folder."""
    from sqlalchemy import make_url

    from core.backup import BackupError, restore_backup

    target = make_url(migration_database_url(current_app))  # the owner restores
    if database_name:
        target = target.set(database=database_name)
    target_url = target.render_as_string(hide_password=False)
    app_role = make_url(database_url(current_app)).username
    folder = upload_folder or Path(current_app.config["UPLOAD_FOLDER"])
    try:
        report = restore_backup(
            archive, target_url, folder, app_role, allow_readable=allow_readable
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(report.tables.values())
    click.echo(
        f"Restored {rows} rows in {len(report.tables)} tables into database "
        f"{report.database!r} and {report.files} files into {folder}."
    )


def run_as_unit_of_work(operation):
    """Run OPERATION as the command's one unit of work; a refusal becomes a click error."""
    try:
        with unit_of_work(db.session):
            return operation()
    except ApiError as exc:
        raise click.ClickException(exc.detail) from exc


def register_commands(app: Flask) -> None:
    for group in (db_cli, redis_cli, communes_cli, users_cli, tokens_cli, demo_cli):
        app.cli.add_command(group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def main() -> None:
    from core import create_app

    FlaskGroup(create_app=create_app, help="Tournages: filming locations in Wallonia.")()
