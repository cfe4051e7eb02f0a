"""The two SOAP 1.1 answers a Salesforce outbound-message endpoint gives, as exact bytes.

Salesforce retries until it receives exactly the ``notificationsResponse``/``Ack true`` envelope
(a 200 with any other body counts as a failure, salesforce.md §1.4), so the bytes are a constant
tested byte for byte. Everything else is a SOAP fault, which makes Salesforce retry.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

ACK_ENVELOPE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n'
    b"  <soapenv:Body>\n"
    b'    <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">\n'
    b"      <Ack>true</Ack>\n"
    b"    </notificationsResponse>\n"
    b"  </soapenv:Body>\n"
    b"</soapenv:Envelope>\n"
)

SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"


def fault_envelope(message: str, *, server_side: bool = False) -> bytes:
    """A SOAP 1.1 fault: ``soapenv:Client`` for a bad request, ``soapenv:Server`` for ours."""
    code = "soapenv:Server" if server_side else "soapenv:Client"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">\n'
        "  <soapenv:Body>\n"
        "    <soapenv:Fault>\n"
        f"      <faultcode>{code}</faultcode>\n"
        f"      <faultstring>{escape(message)}</faultstring>\n"
        "    </soapenv:Fault>\n"
        "  </soapenv:Body>\n"
        "</soapenv:Envelope>\n"
    ).encode()
