"""One typed settings object, read from `NOTAI_*` environment variables and checked at start.

- `NOTAI_DATABASE_URL`: `sqlite:///path` (embedded, default `sqlite:///./notai.db`)
  or `postgresql://...`.
- `NOTAI_REGION`: the region this server runs in, `us` (default) or `eu`.
- `NOTAI_SECRET`: keys API-key hashes and signs cursors; at least 32 characters.
- `NOTAI_ENV`: `development` (default) or `production`, which refuses the development secret.
- `NOTAI_ENTERPRISE_HISTORY_DAYS`: the enterprise tier's history window (default 2555, 7 years).
- `NOTAI_DETECTOR`: `compiled` (default) or `python`. `notai.detect.native` reads it when the
  detector is imported, before settings exist; it is checked here so that a wrong value
  stops the command like any other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, cast

import msgspec

Region = Literal["us", "eu"]
REGIONS: tuple[Region, ...] = ("us", "eu")
DEVELOPMENT_SECRET = "notai-development-secret-do-not-use-in-production"  # noqa: S105 (refused in production)
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """The environment does not describe a server that may start."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = "sqlite:///./notai.db"
    """Where everything is stored."""
    region: Region = "us"
    """Integrations and keys of the other region are invisible to this server."""
    secret: str = DEVELOPMENT_SECRET
    """Server secret: HMAC key for stored API-key hashes and cursor signatures."""
    environment: Literal["development", "production"] = "development"
    enterprise_history_days: int = 2555
    """How far back an enterprise key sees (the contract allows up to 7 years)."""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate settings; raise `SettingsError` with a sentence a person can act on."""
    env = os.environ if environ is None else environ
    region = env.get("NOTAI_REGION", "us").strip().lower()
    if region not in REGIONS:
        raise SettingsError(f"NOTAI_REGION must be one of {', '.join(REGIONS)}, not {region!r}")
    environment = env.get("NOTAI_ENV", "development").strip().lower()
    if environment not in ("development", "production"):
        raise SettingsError("NOTAI_ENV must be 'development' or 'production'")
    if env.get("NOTAI_DETECTOR", "compiled") not in ("compiled", "python"):
        raise SettingsError("NOTAI_DETECTOR must be 'compiled' or 'python'")
    settings = Settings(
        database_url=env.get("NOTAI_DATABASE_URL", "sqlite:///./notai.db").strip(),
        region=region,
        secret=env.get("NOTAI_SECRET", DEVELOPMENT_SECRET),
        environment=cast(Literal["development", "production"], environment),
        enterprise_history_days=_positive_int(env, "NOTAI_ENTERPRISE_HISTORY_DAYS", 2555),
    )
    _check_secret(settings)
    _check_database_url(settings.database_url)
    return settings


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be at least 1")
    return value


def _check_secret(settings: Settings) -> None:
    if len(settings.secret) < MIN_SECRET_LENGTH:
        raise SettingsError(f"NOTAI_SECRET must be at least {MIN_SECRET_LENGTH} characters")
    if settings.is_production and settings.secret == DEVELOPMENT_SECRET:
        raise SettingsError(
            "NOTAI_ENV=production needs its own NOTAI_SECRET "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )


def _check_database_url(url: str) -> None:
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SettingsError(
            "NOTAI_DATABASE_URL must start with sqlite:/// or postgresql://, "
            f"not {url.split(':', 1)[0]!r}"
        )
