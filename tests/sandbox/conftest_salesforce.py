"""Fixtures for the Salesforce stand-in tests (imported by the test modules that use them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from simple_salesforce import Salesforce

from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig


@pytest.fixture
def salesforce_config() -> SalesforceSandboxConfig:
    """A default org configuration with small query pages (so paging is exercised)."""
    return SalesforceSandboxConfig(query_batch_size=5)


@pytest.fixture
def salesforce_sandbox(salesforce_config: SalesforceSandboxConfig) -> Iterator[SalesforceSandbox]:
    """A running stand-in org."""
    with SalesforceSandbox(salesforce_config) as sandbox:
        yield sandbox


@pytest.fixture
def salesforce_client(salesforce_sandbox: SalesforceSandbox) -> Salesforce:
    """The official simple-salesforce client talking HTTPS to the stand-in."""
    return salesforce_sandbox.client()
