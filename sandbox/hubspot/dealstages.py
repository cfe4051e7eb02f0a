"""Deal stage rules: a stage must belong to the deal's pipeline; closed/won flags follow it."""

from __future__ import annotations

from .pipelines import Pipeline
from .properties import Problem, iso_from_ms
from .records import CrmRecord


def check(
    pipelines: dict[str, Pipeline], values: dict[str, str], record: CrmRecord | None
) -> list[Problem]:
    """Problems with a deal write's pipeline/dealstage pair (both may come from the record)."""
    if "dealstage" not in values and "pipeline" not in values:
        return []
    current_pipeline = record.value("pipeline") if record else ""
    pipeline_id = values.get("pipeline") or current_pipeline or "default"
    stage_id = values.get("dealstage", record.value("dealstage") if record else "")
    pipeline = pipelines.get(pipeline_id)
    if pipeline is None:
        return [Problem("pipeline", "INVALID_OPTION", f"{pipeline_id} is not a valid pipeline")]
    if stage_id and pipeline.stage(stage_id) is None:
        return [
            Problem(
                "dealstage",
                "INVALID_OPTION",
                f"{stage_id} is not a valid stage of pipeline {pipeline_id} ({pipeline.label})",
            )
        ]
    return []


def derived(
    pipelines: dict[str, Pipeline], record: CrmRecord, merged: dict[str, str], now_ms: int
) -> dict[str, str]:
    """Calculated deal properties after a stage/pipeline change."""
    pipeline = pipelines.get(merged.get("pipeline") or "default")
    stage = pipeline.stage(merged.get("dealstage", "")) if pipeline else None
    now = iso_from_ms(now_ms)
    updates: dict[str, str] = {}
    old_stage = record.value("dealstage")
    new_stage = merged.get("dealstage", "")
    if new_stage != old_stage:
        if old_stage:
            updates[f"hs_v2_date_exited_{old_stage}"] = now
        if new_stage:
            updates[f"hs_v2_date_entered_{new_stage}"] = now
            updates["hs_v2_date_entered_current_stage"] = now
    if stage is None:
        updates.update({"hs_is_closed": "false", "hs_is_closed_won": "false"})
        return updates
    updates["hs_is_closed"] = "true" if stage.is_closed else "false"
    updates["hs_is_closed_won"] = "true" if stage.is_won else "false"
    updates["hs_deal_stage_probability"] = str(stage.probability)
    if stage.is_won and record.value("hs_is_closed_won") != "true":
        updates["hs_closed_won_date"] = now
    return updates
