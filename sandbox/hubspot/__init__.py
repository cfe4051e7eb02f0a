"""HubSpot stand-in: the CRM API as hubspot-api-client v12 calls it, served on loopback.

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
with HubSpotSandbox(HubSpotSandboxConfig()) as hs:
    client = hs.client()
"""

from __future__ import annotations

from .config import HubSpotSandboxConfig
from .records import WriteSource
from .sandbox import HubSpotSandbox
from .signing import decode_v3_uri, sign_v1, sign_v3
from .traffic import RequestRecord
from .webhooks import DeliveryRecord

__all__ = [
    "DeliveryRecord",
    "HubSpotSandbox",
    "HubSpotSandboxConfig",
    "RequestRecord",
    "WriteSource",
    "decode_v3_uri",
    "sign_v1",
    "sign_v3",
]
