"""The `notai` command line: serve, migrate, integrations, keys, demo, quickstart.

Every command reads `NOTAI_*` settings, applies pending migrations first (so each works on
a fresh, empty database) and prints JSON with `--json` for scripts.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import msgspec
import typer
from rich.console import Console

from notai.settings import Settings, SettingsError, load_settings
from notai.store.database import Database, DatabaseUnavailable, open_database
from notai.store.migrate import migrate as apply_migrations
from notai.tenancy import service
from notai.tenancy.plans import TIERS, parse_tier

app = typer.Typer(help="notai: detect AI agents in learning platforms.", no_args_is_help=True)
integrations_app = typer.Typer(help="Create and list integrations.", no_args_is_help=True)
keys_app = typer.Typer(help="Mint and revoke API keys.", no_args_is_help=True)
app.add_typer(integrations_app, name="integrations")
app.add_typer(keys_app, name="keys")

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


def main() -> None:
    app()
