"""The outbound-message SOAP 1.1 envelope and the acknowledgement check. Pure functions.

Shape and namespaces as Salesforce sends them (salesforce.md §1.2-1.4): `soapenv:Envelope`
declaring soapenv, xsd and xsi; `notifications` in the default namespace
`http://soap.sforce.com/2005/09/outbound` with OrganizationId, ActionId, SessionId (xsi:nil when
not sent), EnterpriseUrl, PartnerUrl and up to 100 Notification{Id, sObject}; the sObject
declares `xmlns:sf="urn:sobject.enterprise.soap.sforce.com"`, has `xsi:type="sf:<Type>"` and
carries only populated fields, `sf:Id` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from .fieldtypes import to_soap_text

SOAPENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND_NS = "http://soap.sforce.com/2005/09/outbound"
SOBJECT_NS = "urn:sobject.enterprise.soap.sforce.com"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
MAX_NOTIFICATIONS = 100

#: The only acknowledgement Salesforce accepts (any other 200 body is a delivery failure).
ACK_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<soapenv:Envelope xmlns:soapenv="{SOAPENV_NS}">\n'
    "  <soapenv:Body>\n"
    f'    <notificationsResponse xmlns="{OUTBOUND_NS}">\n'
    "      <Ack>true</Ack>\n"
    "    </notificationsResponse>\n"
    "  </soapenv:Body>\n"
    "</soapenv:Envelope>\n"
).encode()


@dataclass(frozen=True)
class Notification:
    """One record in a message: notification id (04l...), sObject type and populated fields.

    `fields` is ordered and must start with ("Id", record id); None values are left out.
    """

    notification_id: str
    sobject: str
    fields: tuple[tuple[str, Any], ...]


def build_envelope(
    org_id: str,
    action_id: str,
    session_id: str | None,
    enterprise_url: str,
    partner_url: str,
    notifications: Sequence[Notification],
) -> bytes:
    """Serialize one outbound message (1 to 100 notifications) to UTF-8 bytes."""
    if not 1 <= len(notifications) <= MAX_NOTIFICATIONS:
        raise ValueError(f"an outbound message carries 1 to {MAX_NOTIFICATIONS} notifications")
    session = (
        f"   <SessionId>{escape(session_id)}</SessionId>\n"
        if session_id
        else '   <SessionId xsi:nil="true"/>\n'
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV_NS}" xmlns:xsd="{XSD_NS}" '
        f'xmlns:xsi="{XSI_NS}">\n',
        " <soapenv:Body>\n",
        f'  <notifications xmlns="{OUTBOUND_NS}">\n',
        f"   <OrganizationId>{escape(org_id)}</OrganizationId>\n",
        f"   <ActionId>{escape(action_id)}</ActionId>\n",
        session,
        f"   <EnterpriseUrl>{escape(enterprise_url)}</EnterpriseUrl>\n",
        f"   <PartnerUrl>{escape(partner_url)}</PartnerUrl>\n",
    ]
    for notification in notifications:
        parts.append("   <Notification>\n")
        parts.append(f"    <Id>{escape(notification.notification_id)}</Id>\n")
        parts.append(
            f'    <sObject xmlns:sf="{SOBJECT_NS}" '
            f"xsi:type={quoteattr('sf:' + notification.sobject)}>\n"
        )
        for name, value in notification.fields:
            if value is None:
                continue
            parts.append(f"     <sf:{name}>{escape(to_soap_text(value))}</sf:{name}>\n")
        parts.append("    </sObject>\n")
        parts.append("   </Notification>\n")
    parts.append("  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>")
    return "".join(parts).encode("utf-8")


def is_ack(body: bytes) -> bool:
    """True only for the exact `notificationsResponse`/`Ack` true envelope (namespace-aware)."""
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return False
    if root.tag != f"{{{SOAPENV_NS}}}Envelope":
        return False
    bodies = [child for child in root if child.tag == f"{{{SOAPENV_NS}}}Body"]
    if len(bodies) != 1 or len(bodies[0]) != 1:
        return False
    response = bodies[0][0]
    if response.tag != f"{{{OUTBOUND_NS}}}notificationsResponse" or len(response) != 1:
        return False
    ack = response[0]
    return ack.tag == f"{{{OUTBOUND_NS}}}Ack" and (ack.text or "").strip() == "true"
