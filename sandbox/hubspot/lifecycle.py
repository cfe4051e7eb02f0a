"""HubSpot's lifecycle-stage rule and the stage-date properties it maintains. Pure functions.

The rule (hubspot.md §3.1): a stage can only move forward in `displayOrder`; a backwards write is
answered as success and silently ignored; clearing to "" first lets the next, separate write set
any stage. Each entry stamps `hs_v2_date_entered_<stage>` (and exit/latest/cumulative times).
"""

from __future__ import annotations

from enum import StrEnum

from .properties import iso_from_ms, ms_from_value


class StageDecision(StrEnum):
    """What a write of the lifecycle stage does to the record."""

    SET = "set"  #: moves to the new stage (forward, or from empty)
    CLEAR = "clear"  #: clears the stage ("")
    IGNORED_BACKWARDS = "ignored_backwards"  #: silently dropped, reported as success
    UNCHANGED = "unchanged"  #: same value as now


def decide_stage_write(current: str, requested: str, order: dict[str, int]) -> StageDecision:
    """Apply the forward-only rule to one write of `requested` over `current`."""
    if requested == current:
        return StageDecision.UNCHANGED
    if requested == "":
        return StageDecision.CLEAR
    if current == "" or current not in order:
        return StageDecision.SET
    if order[requested] < order[current]:
        return StageDecision.IGNORED_BACKWARDS
    return StageDecision.SET


def furthest_stage(a: str, b: str, order: dict[str, int]) -> str:
    """The stage further down the funnel (used when merging two contacts)."""
    if not a:
        return b
    if not b:
        return a
    return a if order.get(a, -1) >= order.get(b, -1) else b


def stage_date_updates(
    properties: dict[str, str],
    old_stage: str,
    new_stage: str,
    now_ms: int,
    *,
    legacy_prefix: str | None,
) -> dict[str, str]:
    """Property values to write when a record leaves `old_stage` for `new_stage` at `now_ms`.

    `legacy_prefix` ("hs_lifecyclestage_") also stamps the legacy "Became a ... date" property
    the first time a stage is entered; deals pass None.
    """
    now = iso_from_ms(now_ms)
    updates: dict[str, str] = {}
    if old_stage:
        updates[f"hs_v2_date_exited_{old_stage}"] = now
        entered = ms_from_value(properties.get(f"hs_v2_date_entered_{old_stage}", "") or "x")
        if entered is not None:
            stay = max(0, now_ms - entered)
            updates[f"hs_v2_latest_time_in_{old_stage}"] = str(stay)
            before = properties.get(f"hs_v2_cumulative_time_in_{old_stage}") or "0"
            updates[f"hs_v2_cumulative_time_in_{old_stage}"] = str(int(before) + stay)
    if new_stage:
        updates[f"hs_v2_date_entered_{new_stage}"] = now
        updates["hs_v2_date_entered_current_stage"] = now
        if legacy_prefix and not properties.get(f"{legacy_prefix}{new_stage}_date"):
            updates[f"{legacy_prefix}{new_stage}_date"] = now
    else:
        updates["hs_v2_date_entered_current_stage"] = ""
    return updates


def stage_property_names(stage: str, *, legacy_prefix: str | None) -> list[tuple[str, str]]:
    """(name, type) of the calculated properties HubSpot defines for one stage."""
    names = [
        (f"hs_v2_date_entered_{stage}", "datetime"),
        (f"hs_v2_date_exited_{stage}", "datetime"),
        (f"hs_v2_latest_time_in_{stage}", "number"),
        (f"hs_v2_cumulative_time_in_{stage}", "number"),
    ]
    if legacy_prefix:
        names.append((f"{legacy_prefix}{stage}_date", "datetime"))
    return names
