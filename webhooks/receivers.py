"""Mount every webhook receiver under ``/webhooks`` (called by :func:`webhooks.app.create_app`)."""

from __future__ import annotations

from flask import Blueprint, Flask

from webhooks.hubspot import HubSpotWebhookView, HubSpotWorkflowView
from webhooks.salesforce import SalesforceEventsView, SalesforceOutboundView

#: The public paths, for docs and tests; the CRMs are configured to call these.
HUBSPOT_PATH = "/webhooks/hubspot"
HUBSPOT_WORKFLOW_PATH = "/webhooks/hubspot/workflow"
SALESFORCE_OUTBOUND_PATH = "/webhooks/salesforce/outbound/<token>"
SALESFORCE_EVENTS_PATH = "/webhooks/salesforce/events"


def build_blueprint() -> Blueprint:
    """One blueprint holding the four receivers."""
    bp = Blueprint("webhooks", __name__)
    bp.add_url_rule(HUBSPOT_PATH, view_func=HubSpotWebhookView.as_view("hubspot"))
    bp.add_url_rule(
        HUBSPOT_WORKFLOW_PATH, view_func=HubSpotWorkflowView.as_view("hubspot_workflow")
    )
    outbound = SalesforceOutboundView.as_view("salesforce_outbound")
    bp.add_url_rule(SALESFORCE_OUTBOUND_PATH, view_func=outbound)
    # Without a token: same view, so the caller gets a 401 SOAP fault rather than a 404.
    bp.add_url_rule(
        SALESFORCE_OUTBOUND_PATH.rpartition("/")[0], view_func=outbound, defaults={"token": ""}
    )
    bp.add_url_rule(
        SALESFORCE_EVENTS_PATH, view_func=SalesforceEventsView.as_view("salesforce_events")
    )
    return bp


def register(app: Flask) -> None:
    """Attach the receivers to ``app``."""
    app.register_blueprint(build_blueprint())
