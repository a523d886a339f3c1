from __future__ import annotations

import pytest

from notai.settings import DEVELOPMENT_SECRET, SettingsError, load_settings


def test_defaults_work_for_development() -> None:
    settings = load_settings({})

    assert settings.database_url == "sqlite:///./notai.db"
    assert settings.region == "us"
    assert settings.secret == DEVELOPMENT_SECRET


@pytest.mark.parametrize(
    "environ",
    [
        {"NOTAI_ENV": "production"},
        {"NOTAI_ENV": "production", "NOTAI_SECRET": DEVELOPMENT_SECRET},
        {"NOTAI_SECRET": "short"},
        {"NOTAI_REGION": "mars"},
        {"NOTAI_DATABASE_URL": "mysql://x"},
        {"NOTAI_ENV": "staging"},
        {"NOTAI_ENTERPRISE_HISTORY_DAYS": "0"},
        {"NOTAI_DETECTOR": "fast"},
    ],
)
def test_unsafe_or_wrong_settings_refuse_to_start(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        load_settings(environ)


def test_production_with_its_own_secret_starts() -> None:
    settings = load_settings(
        {"NOTAI_ENV": "production", "NOTAI_SECRET": "p" * 48, "NOTAI_REGION": "EU"}
    )

    assert settings.is_production
    assert settings.region == "eu"
