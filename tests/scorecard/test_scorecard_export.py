"""CSV cells a spreadsheet would run as formulas are defused; decimals keep their digits."""

from __future__ import annotations

from decimal import Decimal

from connector.reports.scorecard.export import plain, table_csv
from connector.reports.scorecard.model import Table


def test_formula_cells_from_the_crm_are_defused() -> None:
    table = Table("mqls_by_source", "t", ("source", "leads"), (("=HYPERLINK(1)", 2), ("@x", 1)))
    assert table_csv(table) == "source,leads\r\n'=HYPERLINK(1),2\r\n'@x,1\r\n"


def test_decimals_are_exact_strings() -> None:
    assert plain((Decimal("1000.00"), 3, None)) == ["1000.00", 3, None]
