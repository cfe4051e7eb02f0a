"""The ``baton credit simulate`` file: read a timeline from JSON, report every model's shares.

The format is documented in docs/credit.md (example: docs/examples/credit-timeline.json). Every
problem is a :class:`SimulationError` naming the field (``touches[2].at``), so the command can
print it and exit 1 without a traceback. Amounts are read as exact decimals, never floats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from connector.jobs.credit.compute import Attribution, Unavailable
from connector.jobs.credit.currency import format_minor, to_minor
from connector.jobs.credit.markov import Journey, MarkovFit
from connector.jobs.credit.timeline import (
    Milestone,
    MilestoneAt,
    Money,
    Timeline,
    Touch,
    TouchKey,
    build_timeline,
)

DEFAULT_SOURCE = "file"
_TOP = {"amount", "currency", "touches", "milestones", "history"}
_TOUCH = {"id", "at", "channel", "campaign", "source"}
_MILESTONE = {"at", "touch"}
_JOURNEY = {"channels", "won", "count"}


class SimulationError(ValueError):
    """A problem in the simulate file, with the field it is in."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Simulation:
    """A parsed simulate file: the deal's timeline and the journeys Markov models learn from."""

    timeline: Timeline
    history: tuple[Journey, ...]


def _reject_constant(name: str) -> Any:
    raise SimulationError("(file)", f"{name} is not a number JSON allows here")


def load_simulation(text: str, *, default_currency: str, lookback_days: int) -> Simulation:
    """Parse the file's text; the currency defaults to the config's, the lookback is its."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SimulationError("(file)", f"not valid JSON: {exc}") from None
    top = _object(data, "(file)", _TOP)
    currency = top.get("currency", default_currency)
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise SimulationError("currency", "must be an ISO 4217 code such as EUR")
    currency = currency.upper()
    if "amount" not in top:
        raise SimulationError("amount", "required (the deal amount, e.g. 1000.01)")
    amount = Money(_minor(top["amount"], currency), currency)
    touches = [_touch(item, f"touches[{i}]") for i, item in enumerate(_list(top, "touches"))]
    milestones = _milestones(top.get("milestones", {}), touches)
    history = tuple(_journey(item, f"history[{i}]") for i, item in enumerate(_list(top, "history")))
    timeline = build_timeline(touches, milestones, amount, lookback_days=lookback_days)
    return Simulation(timeline, history)


def _object(value: object, field: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SimulationError(field, "must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise SimulationError(
            f"{field}.{unknown[0]}" if field != "(file)" else unknown[0],
            f"unknown field; expected one of {', '.join(sorted(allowed))}",
        )
    return value


def _list(top: Mapping[str, Any], key: str) -> list[Any]:
    value = top.get(key, [])
    if not isinstance(value, list):
        raise SimulationError(key, "must be a JSON list")
    return value


def _text(item: Mapping[str, Any], field: str, key: str, *, required: bool = True) -> str | None:
    if key not in item or item[key] is None:
        if required:
            raise SimulationError(f"{field}.{key}", "required")
        return None
    value = item[key]
    if not isinstance(value, str) or not value.strip():
        raise SimulationError(f"{field}.{key}", "must be a non-empty string")
    return value


def _time(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise SimulationError(field, "must be an ISO 8601 time string, e.g. 2026-09-01T10:00:00Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SimulationError(field, f"{value!r} is not an ISO 8601 time") from None
    if moment.utcoffset() is None:
        raise SimulationError(field, f"{value!r} needs a UTC offset, e.g. Z or +01:00")
    return moment


def _minor(value: object, currency: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise SimulationError("amount", "must be a number or a decimal string, e.g. 1000.01")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
        return to_minor(amount, currency)
    except InvalidOperation:
        raise SimulationError("amount", f"{value!r} is not a decimal amount") from None
    except ValueError as exc:
        raise SimulationError("amount", str(exc)) from None


def _touch(value: object, field: str) -> Touch:
    item = _object(value, field, _TOUCH)
    touch_id = _text(item, field, "id")
    channel = _text(item, field, "channel")
    source = _text(item, field, "source", required=False) or DEFAULT_SOURCE
    campaign = _text(item, field, "campaign", required=False)
    if "at" not in item:
        raise SimulationError(f"{field}.at", "required")
    assert touch_id is not None and channel is not None
    return Touch(_time(item["at"], f"{field}.at"), channel, campaign, source, touch_id)


def _milestones(value: object, touches: list[Touch]) -> list[MilestoneAt]:
    if not isinstance(value, dict):
        raise SimulationError("milestones", "must be a JSON object keyed by milestone")
    kinds = {kind.value: kind for kind in Milestone}
    reached = []
    for name, entry in value.items():
        field = f"milestones.{name}"
        if name not in kinds:
            raise SimulationError(field, f"unknown milestone; expected one of {', '.join(kinds)}")
        if isinstance(entry, str):
            entry = {"at": entry}
        item = _object(entry, field, _MILESTONE)
        if "at" not in item:
            raise SimulationError(f"{field}.at", "required")
        touch_id = _text(item, field, "touch", required=False)
        key = _touch_key(touch_id, touches, f"{field}.touch") if touch_id else None
        reached.append(MilestoneAt(kinds[name], _time(item["at"], f"{field}.at"), key))
    return reached


def _touch_key(touch_id: str, touches: list[Touch], field: str) -> TouchKey:
    sources = sorted({touch.source for touch in touches if touch.touch_id == touch_id})
    if not sources:
        raise SimulationError(field, f"no touch has id {touch_id!r}")
    if len(sources) > 1:
        raise SimulationError(field, f"id {touch_id!r} is used by several sources: {sources}")
    return (sources[0], touch_id)


def _journey(value: object, field: str) -> Journey:
    item = _object(value, field, _JOURNEY)
    channels = item.get("channels")
    if not isinstance(channels, list) or not all(
        isinstance(channel, str) and channel.strip() for channel in channels
    ):
        raise SimulationError(f"{field}.channels", "must be a list of channel names")
    won = item.get("won")
    if not isinstance(won, bool):
        raise SimulationError(f"{field}.won", "must be true or false")
    count = item.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise SimulationError(f"{field}.count", "must be a whole number of at least 1")
    try:
        return Journey(tuple(channels), won, count)
    except ValueError as exc:
        raise SimulationError(f"{field}.channels", str(exc)) from None


# --- the report ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _approx(value: Fraction) -> str:
    """A probability for people to read, to 6 decimals (the exact fraction is reported too)."""
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-6")))


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": minor, "amount": format_minor(minor, currency)}


def _touch_out(touch: Touch) -> dict[str, Any]:
    return {
        "touch": touch.touch_id,
        "source": touch.source,
        "at": _iso(touch.at),
        "channel": touch.channel,
        "campaign": touch.campaign,
    }


def report(
    simulation: Simulation,
    results: Mapping[str, Attribution | Unavailable],
    fits: Mapping[str, MarkovFit] | None = None,
) -> dict[str, Any]:
    """The JSON-ready answer: the timeline as used, what was dropped, every model's shares."""
    timeline = simulation.timeline
    currency = timeline.amount.currency
    positions: dict[int, list[str]] = {}
    for kind in Milestone:
        index = timeline.position(kind)
        if index is not None:
            positions.setdefault(index, []).append(kind.value)
    return {
        "currency": currency,
        "amount": format_minor(timeline.amount.minor, currency),
        "amount_minor": timeline.amount.minor,
        "ends_at": _iso(timeline.ends_at),
        "lookback_days": timeline.lookback_days,
        "timeline": [
            {**_touch_out(touch), "positions": positions.get(i, [])}
            for i, touch in enumerate(timeline.touches)
        ],
        "milestones": {m.kind.value: _iso(m.at) for m in timeline.milestones},
        "dropped": [{**_touch_out(d.touch), "reason": d.reason} for d in timeline.dropped],
        "models": {
            name: _result(result, currency, (fits or {}).get(name))
            for name, result in results.items()
        },
    }


def _result(
    result: Attribution | Unavailable, currency: str, fit: MarkovFit | None
) -> dict[str, Any]:
    if isinstance(result, Unavailable):
        return {"model": result.kind, "unavailable": result.reason}
    out: dict[str, Any] = {
        "model": result.kind,
        "shares": [
            {
                "touch": share.touch.touch_id if share.touch else None,
                "channel": share.channel,
                "campaign": share.touch.campaign if share.touch else None,
                **_money(share.minor, currency),
            }
            for share in result.shares
        ],
        "by_channel": {
            channel: _money(minor, currency) for channel, minor in result.by_channel().items()
        },
    }
    if result.fallback:
        out["fallback"] = result.fallback
    if fit is not None:
        out["history"] = {
            "journeys": fit.journeys,
            "won": fit.won,
            "lost": fit.lost,
            "conversion_probability": _approx(fit.conversion),
            "removal_effects": {ch: _approx(effect) for ch, effect in fit.removal_effects.items()},
            "removal_effects_exact": {ch: str(e) for ch, e in fit.removal_effects.items()},
        }
    return out
