"""The `notai` command line: serve, migrate, integrations, keys, demo, quickstart.

Every command reads `NOTAI_*` settings, applies pending migrations first (so each works on
a fresh, empty database) and prints JSON with `--json` for scripts.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import msgspec
import typer
from rich.console import Console

from notai.collect.protocol import Batch
from notai.events import Message
from notai.settings import Settings, SettingsError, load_settings
from notai.store.database import Database, DatabaseUnavailable, open_database
from notai.store.migrate import migrate as apply_migrations
from notai.tenancy import service
from notai.tenancy.plans import TIERS, parse_tier

app = typer.Typer(help="notai: detect AI agents in learning platforms.", no_args_is_help=True)
integrations_app = typer.Typer(help="Create and list integrations.", no_args_is_help=True)
keys_app = typer.Typer(help="Mint and revoke API keys.", no_args_is_help=True)
rollups_app = typer.Typer(help="Maintain the roll-ups behind users, courses and analytics.")
app.add_typer(integrations_app, name="integrations")
app.add_typer(keys_app, name="keys")
app.add_typer(rollups_app, name="rollups")

console = Console(stderr=True)
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


def _prepared() -> Settings:
    """Settings, with the database migrated to the newest schema."""
    settings = _settings()
    try:
        apply_migrations(settings.database_url)
    except Exception as exc:  # any driver's connection failure: say it plainly, no trace
        console.print(f"[red]cannot prepare the database:[/red] {exc}")
        raise typer.Exit(1) from None
    return settings


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = await open_database(settings.database_url)
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except DatabaseUnavailable as exc:
        console.print(f"[red]database unavailable:[/red] {exc}")
        raise typer.Exit(1) from None


def _print_json(value: object) -> None:
    sys.stdout.write(msgspec.json.encode(value).decode() + "\n")


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    settings = _prepared()
    console.print(f"database is up to date ({settings.database_url.split('://', 1)[0]})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the collector, the API and the dashboard."""
    settings = _prepared()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        console.print("[yellow]note:[/yellow] several workers share SQLite through WAL")
    from notai.detect import native

    console.print(f"detector: {native.status}")
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "notai.app:app_from_environment",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
    ).serve()


@integrations_app.command("create")
def integrations_create(
    name: Annotated[str, typer.Option(help="A name people recognise.")],
    tier: Annotated[str, typer.Option(help=f"Plan: {', '.join(TIERS)}.")] = "free",
    region: Annotated[str | None, typer.Option(help="us or eu; default NOTAI_REGION.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create an integration; its 8-character id is the pixel's data-key."""
    settings = _prepared()
    try:
        plan_tier = parse_tier(tier)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    chosen = (region or settings.region).strip().lower()
    if chosen not in ("us", "eu"):
        console.print(f"[red]region must be us or eu, not {chosen!r}[/red]")
        raise typer.Exit(2)
    if not name.strip():
        console.print("[red]name must not be empty[/red]")
        raise typer.Exit(2)
    record = _with_database(
        settings,
        lambda db: service.create_integration(
            db, name.strip(), plan_tier, "us" if chosen == "us" else "eu"
        ),
    )
    body = {"id": record.id, "name": record.name, "tier": record.tier, "region": record.region}
    if as_json:
        _print_json(body)
    else:
        console.print(f"integration [bold]{record.id}[/bold] ({record.tier}, {record.region})")


@integrations_app.command("origins")
def integrations_origins(
    integration: Annotated[str, typer.Option(help="The integration's id.")],
    allow: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated origins, e.g. https://lms.example.edu,https://*.example.edu"
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Allow every origin again.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show or set the web origins whose pages may send data for an integration.

    With no list every origin is accepted; with one, the collector refuses batches and
    streams from any other origin (403 FORBIDDEN_ORIGIN).
    """
    settings = _prepared()
    if allow is not None and clear:
        console.print("[red]give --allow or --clear, not both[/red]")
        raise typer.Exit(2)
    try:
        if allow is None and not clear:
            origins = _with_database(settings, lambda db: service.allowed_origins(db, integration))
        else:
            wanted = [] if clear else (allow or "").split(",")
            origins = _with_database(
                settings, lambda db: service.set_allowed_origins(db, integration, wanted)
            )
    except service.UnknownIntegration:
        console.print(f"[red]no integration {integration!r}[/red]")
        raise typer.Exit(1) from None
    except service.InvalidOrigin as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        _print_json({"integration": integration, "allowedOrigins": origins})
    elif origins:
        console.print(f"integration {integration} accepts data from: {', '.join(origins)}")
    else:
        console.print(f"integration {integration} accepts data from every origin")


@keys_app.command("create")
def keys_create(
    integration: Annotated[str, typer.Option(help="The integration's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Mint an API key; it is printed once and never stored."""
    settings = _prepared()
    try:
        key = _with_database(settings, lambda db: service.create_key(db, settings, integration))
    except service.UnknownIntegration:
        console.print(f"[red]no integration {integration!r}[/red]")
        raise typer.Exit(1) from None
    if as_json:
        _print_json(
            {"id": key.id, "integration": key.integration, "key": key.key, "masked": key.masked}
        )
    else:
        console.print("Store this key now; it will not be shown again:")
        sys.stdout.write(key.key + "\n")


@keys_app.command("revoke")
def keys_revoke(
    key: Annotated[str | None, typer.Option(help="The key itself (aik_v1_...).")] = None,
    integration: Annotated[str | None, typer.Option(help="With --id: the integration.")] = None,
    key_id: Annotated[str | None, typer.Option("--id", help="The key's id.")] = None,
) -> None:
    """Revoke a key, named by its value or by integration and key id."""
    settings = _prepared()
    if key is not None:
        done = _with_database(settings, lambda db: service.revoke_key_by_value(db, settings, key))
    elif integration is not None and key_id is not None:
        done = _with_database(
            settings, lambda db: service.revoke_key_by_id(db, integration, key_id)
        )
    else:
        console.print("[red]name the key: --key KEY, or --integration ID --id KEY_ID[/red]")
        raise typer.Exit(2)
    if not done:
        console.print("[red]no active key matched[/red]")
        raise typer.Exit(1)
    console.print("key revoked")


@app.command()
def demo(
    integration: Annotated[str, typer.Option(help="The integration to fill.")],
    users: Annotated[int, typer.Option(min=1, help="LMS users.")] = 40,
    sessions: Annotated[int, typer.Option(min=1, help="Sessions in all.")] = 1500,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Generate realistic sessions and feed them through the collector's ingest path."""
    from notai.collect.ingest import IntegrationNotAccepted
    from notai.demo.feed import feed_demo

    settings = _prepared()
    try:
        summary = _with_database(
            settings,
            lambda db: feed_demo(db, settings, integration, users, sessions, seed, console),
        )
    except IntegrationNotAccepted:
        console.print(f"[red]no integration {integration!r} in region {settings.region}[/red]")
        raise typer.Exit(1) from None
    console.print(summary)


@app.command()
def quickstart(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    users: Annotated[int, typer.Option(min=1)] = 40,
    sessions: Annotated[int, typer.Option(min=1)] = 1500,
) -> None:
    """Create a demo integration and key, fill it with demo sessions, then serve."""
    from notai.demo.feed import quickstart_data

    settings = _prepared()
    text = _with_database(
        settings, lambda db: quickstart_data(db, settings, host, port, users, sessions, console)
    )
    sys.stdout.write(text)
    sys.stdout.flush()
    serve(host=host, port=port, workers=1)


@rollups_app.command("rebuild")
def rollups_rebuild(
    integration: Annotated[str, typer.Option(help="The integration to rebuild.")],
) -> None:
    """Recompute an integration's roll-ups from its sessions (after a bulk load or re-scoring)."""
    from notai.collect.rebuild import rebuild_rollups

    settings = _prepared()
    count = _with_database(settings, lambda db: rebuild_rollups(db, integration))
    console.print(f"rebuilt the roll-ups of {integration} from {count} sessions")


users_app = typer.Typer(help="Dashboard accounts: the people who sign in.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("create-admin")
def users_create_admin(
    integration: Annotated[str, typer.Option(help="The integration the person administers.")],
    email: Annotated[str, typer.Option(help="Their e-mail address (the sign-in name).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a dashboard administrator for an integration (asks for the password)."""
    from notai.dashboard import accounts
    from notai.dashboard.passwords import WeakPassword

    settings = _prepared()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = _with_database(
            settings, lambda db: accounts.create_admin(db, integration, email, password)
        )
    except (accounts.InvalidEmail, accounts.EmailTaken, WeakPassword) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except service.UnknownIntegration:
        console.print(f"[red]no integration {integration!r}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"{user.email} can sign in to the dashboard of {user.integration_id} at /dashboard"
    )


@users_app.command("list")
def users_list(
    integration: Annotated[str, typer.Option(help="The integration's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List an integration's dashboard accounts."""
    from notai.store import dashboard as dashboard_repo

    async def read(db: Database) -> list[dashboard_repo.UserRecord]:
        async with db.connection() as conn:
            return await dashboard_repo.list_users(conn, integration)

    people = _with_database(_prepared(), read)
    rows = [{"email": u.email, "role": u.role, "createdAt": u.created_at} for u in people]
    if as_json:
        _print_json(rows)
    else:
        for row in rows:
            console.print(f"{row['email']} ({row['role']})")


sessions_app = typer.Typer(help="Sessions: export their messages.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions")


@sessions_app.command("export")
def sessions_export(
    integration: Annotated[str, typer.Option(help="The integration's id.")],
    session: Annotated[str, typer.Option(help="The session's id.")],
    out: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Write a session's messages as JSON lines, one message per line (for `notai score`)."""
    from notai.store import events as events_repo

    async def read(db: Database) -> list[events_repo.EventRecord]:
        async with db.connection() as conn:
            return await events_repo.session_payloads(conn, integration, session)

    records = _with_database(_prepared(), read)
    if not records:
        console.print(f"[red]no messages for session {session!r} of {integration!r}[/red]")
        raise typer.Exit(1)
    decode = msgspec.msgpack.Decoder(Message).decode
    lines = b"".join(msgspec.json.encode(decode(r.payload)) + b"\n" for r in records)
    if out is None:
        sys.stdout.buffer.write(lines)
    else:
        out.write_bytes(lines)
        console.print(f"{len(records)} messages written to {out}")


def read_session_file(data: bytes) -> list[Message]:
    """Messages from an export: JSON lines of messages, a JSON array of them, or a batch."""
    text = data.strip()
    if text.startswith(b"["):
        return msgspec.json.decode(text, type=list[Message])
    if _is_batch(text):
        return list(msgspec.json.decode(text, type=Batch).events)
    messages = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                messages.append(msgspec.json.decode(line, type=Message))
            except msgspec.MsgspecError as exc:
                raise ValueError(f"line {number}: {exc}") from None
    return messages


def _is_batch(text: bytes) -> bool:
    try:
        whole = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return False  # several objects: JSON lines
    return isinstance(whole, dict) and "events" in whole


@app.command()
def score(
    file: Annotated[Path, typer.Argument(help="An exported session (`notai sessions export`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score an exported session offline with this version's detector, and say why."""
    from notai import detect
    from notai.bands import SCORE_BOT, SCORE_MEDIUM

    try:
        messages = read_session_file(file.read_bytes())
    except (OSError, ValueError, msgspec.MsgspecError) as exc:
        console.print(f"[red]cannot read {file}:[/red] {exc}")
        raise typer.Exit(2) from None
    unique = {m.seq: m for m in messages}  # a re-sent message counts once, as at ingest
    verdict = detect.assess(detect.observe(detect.new_state(), list(unique.values())))
    band = (
        "bot"
        if verdict.bot_score >= SCORE_BOT
        else "medium"
        if verdict.bot_score >= SCORE_MEDIUM
        else "human"
    )
    if as_json:
        _print_json(
            {
                "botScore": verdict.bot_score,
                "band": band,
                "detectionFlags": list(verdict.flags),
                "evidence": verdict.evidence,
                "messages": len(unique),
            }
        )
        return
    sys.stdout.write(f"botScore {verdict.bot_score} ({band}) from {len(unique)} messages\n")
    for flag in verdict.flags:
        sys.stdout.write(f"- {flag}: {detect.explain(flag, verdict.evidence[flag])}\n")


def main() -> None:
    app()
