"""Salesforce REST API stand-in served over HTTPS on loopback for the official simple-salesforce.

from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig

with SalesforceSandbox(SalesforceSandboxConfig()) as sf:
    client = sf.client()          # simple_salesforce.Salesforce over TLS
    client.Lead.create({"LastName": "Ada", "Company": "Acme"})
"""

from __future__ import annotations

from .config import SalesforceSandboxConfig
from .errors import SalesforceApiError
from .outbound import DeliveryAttempt
from .outbound_envelope import ACK_ENVELOPE
from .rest_app import RequestRecord
from .sandbox import SalesforceSandbox

__all__ = [
    "ACK_ENVELOPE",
    "DeliveryAttempt",
    "RequestRecord",
    "SalesforceApiError",
    "SalesforceSandbox",
    "SalesforceSandboxConfig",
]
