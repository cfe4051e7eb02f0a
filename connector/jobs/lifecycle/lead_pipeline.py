"""The lead pipeline's stages as the portal has them (HubSpot alone, Leads object).

A portal's lead stage ids are fixed by HubSpot (``new-stage-id``…) for the default pipeline but
are other ids in a pipeline the admin added, and their labels are editable. So at start Baton
reads ``GET /crm/v3/pipelines/leads`` once and resolves every stage the config names
(``hubspot.leads_object`` and the keys of ``lifecycle.within_hubspot.lead_stages``): an id is
kept, a label (``Connected``) becomes its id, anything else is an error that says what the
portal has. Pure: the portal's answer comes in, the resolved config (or the problems) goes out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from connector.config import BatonConfig
from connector.onboarding.checks import did_you_mean
from connector.ports import CrmReader

log = logging.getLogger(__name__)
LEADS_OBJECT = "leads"


class UnknownLeadStage(ValueError):
    """The config names a lead pipeline or stage the portal does not have."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def _find(value: str, options: Sequence[tuple[str, str]]) -> str | None:
    """The id ``value`` names: an id as it is, or a label (case-insensitive)."""
    for option_id, _ in options:
        if option_id == value:
            return option_id
    wanted = value.strip().casefold()
    return next((i for i, label in options if label.strip().casefold() == wanted), None)


def _unknown(path: str, what: str, value: str, options: Sequence[tuple[str, str]]) -> str:
    hint = did_you_mean(value, options)
    listed = ", ".join(f"{i} ({label})" for i, label in options)
    return (
        f"{path}: the portal has no {what} {value!r}"
        + (f"; {hint}" if hint else "")
        + (f" (it has: {listed})")
    )


def resolve(config: BatonConfig, pipelines: Sequence[Mapping[str, Any]]) -> BatonConfig:
    """``config`` with every lead stage and the pipeline as the portal's ids; raises
    :class:`UnknownLeadStage` naming each one the portal does not have."""
    problems: list[str] = []
    settings = config.hubspot.leads_object
    by_pipeline = [(str(p["id"]), str(p["label"])) for p in pipelines]
    pipeline_id = _find(settings.pipeline, by_pipeline)
    if pipeline_id is None:
        raise UnknownLeadStage(
            [
                _unknown(
                    "hubspot.leads_object.pipeline", "lead pipeline", settings.pipeline, by_pipeline
                )
            ]
        )
    chosen = next(p for p in pipelines if str(p["id"]) == pipeline_id)
    stages = [(str(s["id"]), str(s["label"])) for s in chosen["stages"]]
    resolved: dict[str, Any] = {"pipeline": pipeline_id}
    for name in ("stage", "qualified_stage", "disqualified_stage"):
        value = getattr(settings, name)
        found = _find(value, stages)
        if found is None:
            problems.append(_unknown(f"hubspot.leads_object.{name}", "lead stage", value, stages))
        resolved[name] = found
    every_stage = [(str(s["id"]), str(s["label"])) for p in pipelines for s in p["stages"]]
    within = config.lifecycle.within_hubspot
    lead_stages: dict[str, str] = {}
    for key, lifecycle_stage in within.lead_stages.items():
        found = _find(key, every_stage)
        if found is None:
            path = f"lifecycle.within_hubspot.lead_stages.{key}"
            problems.append(_unknown(path, "lead stage", key, every_stage))
        lead_stages[found or key] = lifecycle_stage
    mirrored: dict[str, str] = {}
    for status, value in settings.salesforce_status_stages.items():
        found = _find(value, stages)
        if found is None:
            path = f"hubspot.leads_object.salesforce_status_stages.{status}"
            problems.append(_unknown(path, "lead stage", value, stages))
        mirrored[status] = found or value
    resolved["salesforce_status_stages"] = mirrored
    if problems:
        raise UnknownLeadStage(problems)
    hubspot = config.hubspot.model_copy(
        update={"leads_object": settings.model_copy(update=resolved)}
    )
    lifecycle = config.lifecycle.model_copy(
        update={"within_hubspot": within.model_copy(update={"lead_stages": lead_stages})}
    )
    return config.model_copy(update={"hubspot": hubspot, "lifecycle": lifecycle})


def uses_lead_stages(config: BatonConfig) -> bool:
    """Leads records made or mapped: their stages must be the portal's."""
    settings = config.hubspot.leads_object
    return config.hubspot.enabled and (
        settings.enabled
        or settings.mirror_salesforce_lead
        or bool(config.lifecycle.within_hubspot.lead_stages)
    )


def from_portal(config: BatonConfig, reader: CrmReader | None) -> BatonConfig:
    """``config`` with the lead stages resolved against the portal, read once at start.

    An unreachable portal is no reason not to start (the configured ids are used as written,
    with a warning); a stage the portal answers it does not have raises
    :class:`UnknownLeadStage`, since every Leads write and mapping with it would go wrong.
    """
    read = getattr(reader, "pipelines", None)
    if not uses_lead_stages(config) or read is None:
        return config
    try:
        pipelines = read(LEADS_OBJECT)
    except Exception as exc:
        log.warning("could not read the lead pipelines", extra={"error": str(exc)[:200]})
        return config
    return resolve(config, pipelines)
