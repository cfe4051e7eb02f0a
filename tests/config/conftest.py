"""Fixtures for the config tests: file locations and a controlled environment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from config_testing import EXAMPLE_ENV, FIXTURES

from connector.config import ConfigError, ConfigIssue, load_config


@pytest.fixture
def example_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Set the example's secrets in os.environ; make sure no override leaks in from outside."""
    monkeypatch.delenv("BATON_DATABASE_URL", raising=False)
    for name, value in EXAMPLE_ENV.items():
        monkeypatch.setenv(name, value)
    return dict(EXAMPLE_ENV)


@pytest.fixture
def errors_of(example_env: dict[str, str]) -> Callable[[str], list[ConfigIssue]]:
    """Load a fixture expected to fail and return its issues."""

    def load(name: str) -> list[ConfigIssue]:
        with pytest.raises(ConfigError) as caught:
            load_config(FIXTURES / name)
        return caught.value.errors

    return load
