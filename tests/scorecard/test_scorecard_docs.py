"""docs/scorecard.md gives every metric's definition as the code words it, and every table."""

from __future__ import annotations

from pathlib import Path

from connector.reports.scorecard.texts import METRICS, TABLES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scorecard.md").read_text(encoding="utf-8")


def test_every_metric_is_documented_with_its_own_definition() -> None:
    missing = [
        key for key, (_, words) in METRICS.items() if f"`{key}`" not in DOC or words not in DOC
    ]
    assert missing == []


def test_every_table_is_documented() -> None:
    assert [key for key in TABLES if f"`{key}`" not in DOC] == []
