"""The scorecard's data model: the contract between the metric code and whoever shows it.

Everything here is a frozen value, built by :func:`connector.reports.scorecard.build_scorecard`
and read by the dashboard, the JSON API, the CSV export and the weekly digest. The rules:

- **Keys are the contract.** ``Metric.key`` and ``Table.key`` are stable identifiers; ``label``
  and ``definition`` are English and exist so an untranslated reader still makes sense. A
  translating reader looks its words up by key (``scorecard.metric.<key>.label`` /
  ``.definition``, ``scorecard.table.<key>.title``, ``scorecard.column.<column>``).
- **People stay ids.** Owners and reps are CRM user ids (Salesforce ``005…``, HubSpot owner
  ids); the reader resolves names. Leads are reached through :class:`LeadRef` only (ids and a
  CRM link, no names or e-mail addresses).
- **No invented numbers.** A metric whose data Baton does not collect has ``value=None`` and
  ``status='no_data'``; its ``definition`` says why. ``status`` is ``'no_target'`` when config
  sets no target, else ``'met'`` / ``'missed'``.
- **Amounts** are :class:`~decimal.Decimal` in ``Scorecard.currency``; percents are 0-100
  Decimals; hours are business hours in ``Scorecard.timezone``'s calendar.
- **Drill-down.** A metric or table cell with a ``drill_key`` can be passed to
  :func:`~connector.reports.scorecard.drill_down` (same week and filters) to get the leads
  behind it. Drill keys are opaque strings; never parse them outside this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Team = Literal["marketing", "sales", "together"]
Unit = Literal["count", "percent", "hours", "money", "days"]
Status = Literal["met", "missed", "no_target", "no_data"]
System = Literal["hubspot", "salesforce"]
Number = Decimal | int


@dataclass(frozen=True, slots=True)
class ScorecardFilters:
    """What the week is narrowed to; None = everything.

    ``team`` narrows the *metrics shown* (``marketing``/``sales``/``together``); ``rep`` is a
    CRM owner id; ``source`` the lead source / original source; ``campaign`` a campaign id.
    """

    team: str | None = None
    rep: str | None = None
    source: str | None = None
    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class Metric:
    """One figure with its definition and how it stands against its target.

    ``target`` is the bound from config (a minimum, or a maximum for hours: the definition says
    which). ``weeks_below_target`` counts consecutive earlier-and-this weeks missed (0 when met,
    no target or no data); the digest escalates at ``scorecard.escalate_after_weeks``.
    """

    key: str
    team: Team
    label: str
    definition: str
    value: Number | None
    unit: Unit
    target: Number | None
    status: Status
    weeks_below_target: int = 0
    drill_key: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A breakdown (by source, campaign, rep, reason, credit model, channel, funnel stage).

    ``rows`` hold plain values (str, int, Decimal, None) in ``columns`` order; ``drill_keys``
    has one entry per row (None where the row has no leads behind it).
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    drill_keys: tuple[str | None, ...] = ()
    team: Team = "together"


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One ISO-like week (from ``scorecard.week_starts``) of metrics and tables.

    ``week_start`` .. ``week_end`` are local dates (inclusive) in ``timezone``;
    ``weeks_available`` are the week starts that have any data, newest first.
    """

    week_start: date
    week_end: date
    timezone: str
    currency: str
    filters: ScorecardFilters
    metrics: tuple[Metric, ...]
    tables: tuple[Table, ...]
    weeks_available: tuple[date, ...] = field(default=())

    def metric(self, key: str) -> Metric:
        """The metric with ``key`` (KeyError when absent)."""
        for found in self.metrics:
            if found.key == key:
                return found
        raise KeyError(key)

    def table(self, key: str) -> Table:
        """The table with ``key`` (KeyError when absent)."""
        for found in self.tables:
            if found.key == key:
                return found
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class LeadRef:
    """A lead behind a figure: the CRM record and a link into the CRM (None when unknown)."""

    system: System
    object: str
    record_id: str
    url: str | None = None
