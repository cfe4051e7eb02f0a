"""``baton hash-password``: a hash the config accepts and sign-in verifies; never an argument."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from baton.cli import main
from connector.config.models.dashboard import DashboardConfig
from webhooks.passwords import check_password


def test_the_hash_goes_into_the_config_and_signs_in() -> None:
    typed = "a long enough passphrase"
    result = CliRunner().invoke(main, ["hash-password"], input=f"{typed}\n{typed}\n")
    assert result.exit_code == 0, result.output
    hashed = result.output.strip().splitlines()[-1]
    assert hashed.startswith("$argon2id$") and typed not in hashed
    config = DashboardConfig.model_validate(
        {"users": [{"username": "anna", "password_hash": hashed}]}
    )
    assert check_password(config.users, "Anna ", typed) == "anna"
    assert check_password(config.users, "anna", typed + "!") is None


def test_stdin_for_scripts_and_short_passwords_refused() -> None:
    ok = CliRunner().invoke(main, ["hash-password", "--stdin"], input="twelve chars ok\n")
    assert ok.exit_code == 0 and ok.output.startswith("$argon2id$")
    short = CliRunner().invoke(main, ["hash-password", "--stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 12 characters" in short.output


def test_the_config_refuses_a_plain_password_and_twin_users() -> None:
    with pytest.raises(ValidationError, match="baton hash-password"):
        DashboardConfig.model_validate(
            {"users": [{"username": "anna", "password_hash": "hunter2"}]}
        )
    hashed = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$c2FsdHNhbHRzYWx0c2FsdA"
    with pytest.raises(ValidationError, match="already users"):
        DashboardConfig.model_validate(
            {"users": [{"username": "anna", "password_hash": hashed}] * 2}
        )
