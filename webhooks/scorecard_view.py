"""Turn a :class:`Scorecard` into what the page shows: words in the reader's language, numbers in
its format, owner ids as names, and chart series. Pure apart from Babel's request locale."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import Domain, gettext, ngettext

from connector.reports.labels import stage_label
from connector.reports.scorecard import catalog, texts
from connector.reports.scorecard.model import Metric, Scorecard, Table
from webhooks.i18n import hours, money, number, percent

NameLookup = Callable[[str], str | None]
#: reason code → the admin's words for it (recycle.reasons and disqualify_reasons)
Words = Mapping[str, str]
TEAMS = ("marketing", "sales", "together")
#: table columns that hold CRM owner ids, shown as names
PEOPLE_COLUMNS = frozenset({"rep", "owner", "owner_id", "rep_id"})
_MONEY_WORDS = ("revenue", "pipeline", "amount", "credit", "sourced", "influenced")


#: The scorecard's words by key: the core's catalog (connector/reports/scorecard/translations),
#: shared with the digest. The metric code owns the English, so it is written by hand.
SCORECARD_WORDS = Domain(translation_directories=[str(catalog.TRANSLATIONS)], domain=catalog.DOMAIN)


def translated(message_id: str, fallback: str) -> str:
    """The catalog's words for a scorecard key ("scorecard.metric.x.label"), else the model's."""
    found = SCORECARD_WORDS.gettext(message_id)
    return fallback if found == message_id else found


def team_title(team: str) -> str:
    """ "Marketing" / "Sales" / "Together", translated."""
    return {"marketing": gettext("Marketing"), "sales": gettext("Sales")}.get(
        team, gettext("Together")
    )


def format_value(value: Any, unit: str, currency: str) -> str:
    """One figure in its unit and the reader's locale."""
    if value is None:
        return "—"
    if unit == "percent":
        return percent(float(value))
    if unit == "hours":
        return hours(float(value))
    if unit == "money":
        return money(value, currency)
    if unit == "days":
        whole = float(value)
        return ngettext("%(days)s day", "%(days)s days", round(whole), days=number(whole, 1))
    return number(value, 1 if isinstance(value, Decimal) and value % 1 else 0)


@dataclass(frozen=True)
class MetricView:
    """A metric ready for the template."""

    metric: Metric
    label: str
    definition: str
    value: str
    target: str | None

    @property
    def lagging(self) -> bool:
        """Below target for more than this one week."""
        return self.metric.weeks_below_target > 1


def metric_view(metric: Metric, currency: str) -> MetricView:
    """Translate and format one metric."""
    prefix = f"scorecard.metric.{metric.key}"
    target = None
    if metric.target is not None:
        target = format_value(metric.target, metric.unit, currency)
    return MetricView(
        metric=metric,
        label=translated(f"{prefix}.label", metric.label),
        definition=translated(f"{prefix}.definition", metric.definition),
        value=format_value(metric.value, metric.unit, currency),
        target=target,
    )


def _column_unit(column: str) -> str:
    name = column.lower()
    if name.endswith(("_pct", "percent")) or name == "pct":
        return "percent"
    if "hours" in name:
        return "hours"
    if name.endswith("_days"):
        return "days"
    if any(word in name for word in _MONEY_WORDS):
        return "money"
    return "count"


def people_in(tables: Sequence[Table]) -> list[str]:
    """The owner ids in the tables' people columns (to look their names up at once)."""
    return [
        value
        for table in tables
        for index, column in enumerate(table.columns)
        if column.lower() in PEOPLE_COLUMNS
        for row in table.rows
        if index < len(row) and isinstance(value := row[index], str)
    ]


def cell(value: Any, column: str, currency: str, names: NameLookup, words: Words) -> str:
    """One table cell: owner ids become names, codes words, amounts money, shares percents."""
    if isinstance(value, str):
        if column.lower() in PEOPLE_COLUMNS:
            return names(value) or value
        if column == "stage":
            return stage_label(value)
        if column == "reason":
            return words.get(value, value)
        if column == "state":
            return translated(f"scorecard.state.{value}", value.replace("_", " "))
        return value
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float | Decimal):
        return format_value(value, _column_unit(column), currency)
    return "—" if value is None else str(value)


@dataclass(frozen=True)
class TableView:
    """A table ready for the template: headings and rows of (text, drill key)."""

    table: Table
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], str | None], ...]


def table_view(table: Table, currency: str, names: NameLookup, words: Words) -> TableView:
    """Translate headings and format every cell of one table."""
    drills = tuple(table.drill_keys) + (None,) * (len(table.rows) - len(table.drill_keys))
    return TableView(
        table=table,
        title=translated(f"scorecard.table.{table.key}", table.title),
        headings=tuple(
            translated(f"scorecard.column.{c}", texts.COLUMNS.get(c, c.replace("_", " ")))
            for c in table.columns
        ),
        rows=tuple(
            (
                tuple(
                    cell(v, c, _row_currency(table, row, currency), names, words)
                    for v, c in zip(row, table.columns, strict=False)
                ),
                d,
            )
            for row, d in zip(table.rows, drills, strict=True)
        ),
    )


def _row_currency(table: Table, row: tuple[object, ...], currency: str) -> str:
    """A row's own ``currency`` column (the open pipeline, never converted), else the card's."""
    if "currency" in table.columns:
        found = row[table.columns.index("currency")]
        return str(found) if found else currency
    return currency


def trend_chart(
    cards: Sequence[Scorecard], unit: str = "percent", limit: int = 4
) -> dict[str, Any]:
    """Chart.js line data: the week's ``unit`` metrics over the given weeks, oldest first."""
    ordered = sorted(cards, key=lambda c: c.week_start)
    latest = ordered[-1] if ordered else None
    keys = [
        m.key for m in (latest.metrics if latest else ()) if m.unit == unit and m.value is not None
    ][:limit]
    series = []
    for key in keys:
        label = translated(f"scorecard.metric.{key}.label", latest.metric(key).label)  # type: ignore[union-attr]
        values = []
        for card in ordered:
            try:
                value = card.metric(key).value
            except KeyError:
                value = None
            values.append(None if value is None else float(value))
        series.append({"label": label, "data": values})
    return {
        "type": "line",
        "labels": [c.week_start.isoformat() for c in ordered],
        "datasets": series,
        "unit": unit,
    }


def bar_chart(view: TableView, column: int = 1) -> dict[str, Any]:
    """Chart.js bar data from a table: the first column's words as labels, ``column`` as values."""
    labels, values = [], []
    for row, (cells, _drill) in zip(view.table.rows, view.rows, strict=True):
        if len(row) > column and isinstance(row[column], int | float | Decimal):
            labels.append(cells[0])
            values.append(float(row[column]))
    return {
        "type": "bar",
        "labels": labels,
        "datasets": [{"label": view.headings[column], "data": values}] if values else [],
        "unit": "count",
    }
