"""`notai integrations origins`: show, set and clear the origins an integration accepts."""

from __future__ import annotations

from pathlib import Path

from integration.test_cli import as_json, notai


def test_origins_are_set_normalised_shown_and_cleared(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notai.db'}"
    integration = as_json(notai(url, "integrations", "create", "--name", "U", "--json"))["id"]

    shown = as_json(notai(url, "integrations", "origins", "--integration", integration, "--json"))
    allowed = as_json(
        notai(
            url,
            "integrations",
            "origins",
            "--integration",
            integration,
            "--allow",
            "https://Canvas.Example.edu/, https://*.instructure.com",
            "--json",
        )
    )
    again = as_json(notai(url, "integrations", "origins", "--integration", integration, "--json"))
    cleared = as_json(
        notai(url, "integrations", "origins", "--integration", integration, "--clear", "--json")
    )

    assert shown == {"integration": integration, "allowedOrigins": []}
    expected = ["https://*.instructure.com", "https://canvas.example.edu"]
    assert allowed["allowedOrigins"] == expected
    assert again["allowedOrigins"] == expected
    assert cleared["allowedOrigins"] == []


def test_bad_origins_and_unknown_integrations_are_refused_plainly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notai.db'}"
    integration = as_json(notai(url, "integrations", "create", "--name", "U", "--json"))["id"]

    bad = notai(
        url,
        "integrations",
        "origins",
        "--integration",
        integration,
        "--allow",
        "lms.edu/x",
        check=False,
    )
    unknown = notai(url, "integrations", "origins", "--integration", "zzzzzzzz", check=False)

    assert bad.returncode == 2
    assert "is not an origin" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert unknown.returncode == 1
    assert "no integration" in unknown.stderr
