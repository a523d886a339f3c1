"""`notai users`: dashboard accounts from the command line, as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import TEST_SECRET

NOTAI = str(Path(sys.executable).with_name("notai"))
PASSWORD = "correct horse battery staple"


def notai(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "NOTAI_DATABASE_URL": database_url, "NOTAI_SECRET": TEST_SECRET}
    return subprocess.run(  # noqa: S603 (our own entry point, fixed arguments)
        [NOTAI, *args],
        input=stdin,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_create_admin_then_list_and_refusals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'notai.db'}"
    created = notai(url, "integrations", "create", "--name", "Example U", "--json")
    integration = json.loads(created.stdout)["id"]

    made = notai(
        url,
        *("users", "create-admin", "--integration", integration),
        *("--email", "Admin@Example.edu", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert "admin@example.edu can sign in" in made.stderr
    listed = notai(url, "users", "list", "--integration", integration, "--json")
    assert [u["email"] for u in json.loads(listed.stdout)] == ["admin@example.edu"]

    refusals = {
        ("nosuchid", "other@example.edu", PASSWORD): (1, "no integration"),
        (integration, "admin@example.edu", PASSWORD): (2, "already has a dashboard account"),
        (integration, "not-an-address", PASSWORD): (2, "is not an e-mail address"),
        (integration, "short@example.edu", "short"): (2, "at least 12 characters"),
    }
    for (target, email, password), (code, message) in refusals.items():
        result = notai(
            url,
            *("users", "create-admin", "--integration", target, "--email", email),
            "--password-stdin",
            stdin=password + "\n",
        )
        assert result.returncode == code, result.stderr
        assert message in " ".join(result.stderr.split())
        assert "Traceback" not in result.stderr
