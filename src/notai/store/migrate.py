"""Apply the Alembic migrations to the database named by a URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from notai.store.database import dialect_of, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_url(url: str) -> str:
    """The SQLAlchemy URL for a notai database URL (PostgreSQL through asyncpg)."""
    if dialect_of(url) == "sqlite":
        return url
    rest = url.split("://", 1)[1]
    return f"postgresql+asyncpg://{rest}"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", alembic_url(url).replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already.

    Synchronous on purpose: call it before the event loop starts, or in a thread.
    """
    if dialect_of(url) == "sqlite":
        # The embedded default creates its file on first use, folder included.
        Path(sqlite_path(url)).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
