"""The scorecard as JSON-safe values and CSV (pure): what the API serves and the digest reads.

Decimals become strings with their exact digits ("1000.00"), so money never passes through a
float; integers stay integers. CSV cells that a spreadsheet would run as a formula (``=``,
``+``, ``-``, ``@`` and tab/CR first) are prefixed with ``'``: sources and reasons come from the
CRMs, where anyone can type them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from connector.reports.scorecard.model import LeadRef, Scorecard, Table

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def plain(value: object) -> Any:
    """A model value as JSON: Decimal → str, date → ISO, tuples → lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def scorecard_json(card: Scorecard) -> dict[str, Any]:
    """The whole scorecard as one JSON object (see the OpenAPI document's ``Scorecard``)."""
    return {
        "week_start": card.week_start.isoformat(),
        "week_end": card.week_end.isoformat(),
        "timezone": card.timezone,
        "currency": card.currency,
        "filters": asdict(card.filters),
        "metrics": [plain(asdict(metric)) for metric in card.metrics],
        "tables": [table_json(table) for table in card.tables],
        "weeks_available": [week.isoformat() for week in card.weeks_available],
    }


def table_json(table: Table) -> dict[str, Any]:
    """One breakdown table."""
    return {
        "key": table.key,
        "title": table.title,
        "team": table.team,
        "columns": list(table.columns),
        "rows": [plain(row) for row in table.rows],
        "drill_keys": list(table.drill_keys),
    }


def leads_json(leads: tuple[LeadRef, ...]) -> list[dict[str, Any]]:
    """Drill-down leads."""
    return [asdict(lead) for lead in leads]


def table_csv(table: Table) -> str:
    """The table as CSV: a header of column keys, then the rows (formula-safe)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if value.startswith(_FORMULA) else value
    return str(plain(value))
