"""Run pollers on their intervals in a background thread (one failing poller never stops others)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from connector.config import BatonConfig
from connector.events import ObjectType, utcnow
from connector.pollers.base import Pacer, Poller, PollResult
from connector.pollers.hubspot import ENGAGEMENT_TYPES, HubSpotSearchPoller
from connector.pollers.salesforce import CONTACT_ROLE, DEFAULT_FIELDS, SalesforceModstampPoller
from connector.runtime import Runtime

log = logging.getLogger(__name__)


class PollScheduler:
    """Calls each poller's ``poll_once`` every ``interval_s`` seconds until stopped."""

    def __init__(
        self,
        pollers: Sequence[Poller],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pollers = [p for p in pollers if p.interval_s > 0]
        self._clock = clock
        self._due = {p.name: 0.0 for p in self.pollers}
        self.last_results: dict[str, PollResult] = {}
        self.last_errors: dict[str, str] = {}

    def run_due(self) -> list[PollResult]:
        """Run every poller whose time has come, once; return what they did."""
        results = []
        for poller in self.pollers:
            now = self._clock()
            if now < self._due[poller.name]:
                continue
            self._due[poller.name] = now + poller.interval_s
            try:
                result = poller.poll_once(utcnow())
            except Exception as exc:  # a CRM outage must not stop the other pollers
                self.last_errors[poller.name] = type(exc).__name__
                log.warning(
                    "poll failed", extra={"poller": poller.name, "error": type(exc).__name__}
                )
                continue
            self.last_errors.pop(poller.name, None)
            self.last_results[poller.name] = result
            results.append(result)
            log.info(
                "poll done",
                extra={
                    "poller": result.name,
                    "fetched": result.fetched,
                    "accepted": result.accepted,
                },
            )
        return results

    def run_forever(self, stop: threading.Event, tick_s: float = 1.0) -> None:
        """Loop until ``stop`` is set."""
        while not stop.is_set():
            self.run_due()
            stop.wait(tick_s)

    def start_thread(self) -> threading.Event:
        """Run in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(
            target=self.run_forever, args=(stop,), name="baton-pollers", daemon=True
        )
        thread.start()
        return stop


def pollers_from_config(
    runtime: Runtime, *, hubspot_client: Any = None, salesforce_client: Any = None
) -> list[Poller]:
    """The standard pollers for ``runtime.config``: HubSpot contacts and deals (search on last
    modified, paced at ``hubspot.rate_limit.search_rps``) and Salesforce Lead, Contact,
    Opportunity, Task and Event (SOQL on SystemModstamp). A system without a client, disabled,
    or with ``poll_interval_s: 0`` gets no poller. Clients are the official ones, built by the
    caller."""
    config = runtime.config
    pollers: list[Poller] = []
    hubspot = config.hubspot
    if hubspot_client is not None and hubspot.enabled and hubspot.poll_interval_s > 0:
        pacer = Pacer(hubspot.rate_limit.search_rps)  # one pacer: the limit is per portal
        for object_type in (ObjectType.CONTACT, ObjectType.DEAL, *_engagements(config)):
            pollers.append(
                HubSpotSearchPoller(
                    runtime.store,
                    hubspot_client,
                    object_type=object_type,
                    portal_id=str(hubspot.portal_id) if hubspot.portal_id else None,
                    pacer=pacer,
                    interval_s=hubspot.poll_interval_s,
                )
            )
    salesforce = config.salesforce
    if salesforce_client is not None and salesforce.enabled and salesforce.poll_interval_s > 0:
        organization = salesforce.organization_ids[0] if salesforce.organization_ids else None
        extra = _job_fields(config)
        for sobject in ("Lead", "Contact", "Opportunity", "Task", "Event", CONTACT_ROLE):
            pollers.append(
                SalesforceModstampPoller(
                    runtime.store,
                    salesforce_client,
                    sobject=sobject,
                    fields=_poll_fields(salesforce_client, sobject, extra.get(sobject, ())),
                    organization_id=organization,
                    integration_user_id=salesforce.integration_user_id,
                    interval_s=salesforce.poll_interval_s,
                )
            )
    return pollers


def _job_fields(config: BatonConfig) -> dict[str, tuple[str, ...]]:
    """Custom fields the jobs read from a snapshot (a poll must carry them as outbound does)."""
    recycle = config.recycle
    lost_reason = recycle.lost_opportunity_reason_field
    return {
        "Lead": (recycle.reason_field, config.salesforce.hubspot_id_field),
        "Opportunity": (lost_reason,) if lost_reason else (),
    }


def _poll_fields(client: Any, sobject: str, extra: Sequence[str]) -> tuple[str, ...]:
    """The default fields plus the jobs' custom ones the org really has (asked once, by describe):
    a field missing from the org would make every poll's SOQL fail."""
    base = DEFAULT_FIELDS.get(sobject, ())
    if not extra:
        return base
    try:
        described = getattr(client, sobject).describe()
        known = {field["name"] for field in described.get("fields", [])}
    except Exception as exc:  # the org cannot be asked now: poll what surely exists
        log.warning("describe failed", extra={"sobject": sobject, "error": str(exc)[:200]})
        return base
    return base + tuple(name for name in extra if name in known and name not in base)


def _engagements(config: Any) -> tuple[ObjectType, ...]:
    """HubSpot calls, e-mails, meetings and tasks are polled when SLA clocks can count them (a
    policy defined; HubSpot alone too): each costs one search per interval of the portal's 5/s."""
    wanted = config.hubspot.enabled and bool(config.sla.policies)
    return ENGAGEMENT_TYPES if wanted else ()
