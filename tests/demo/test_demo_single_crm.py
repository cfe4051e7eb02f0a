"""``baton demo --crm hubspot|salesforce``: a day beside one CRM, the other never started."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.demo import run_demo
from baton.demo.stack import DemoStack
from sandbox.hubspot import HubSpotSandbox
from sandbox.salesforce import SalesforceSandbox


@pytest.mark.parametrize(
    ("crm", "other", "facts"),
    [
        (
            "hubspot",
            "salesforce",
            ["Eva de Boer (Netherlands): customer", "held back: missing Job Title",
             "deal Tulip Logistics won: credit linear"],
        ),
        (
            "salesforce",
            "hubspot",
            ["Eva's Contact after the won deal: customer",
             "CampaignInfluence rows on the won opportunity: 1"],
        ),
    ],
)  # fmt: skip
def test_a_day_beside_one_crm_keeps_its_promises(
    crm: str, other: str, facts: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    for name, cls in (("hubspot", HubSpotSandbox), ("salesforce", SalesforceSandbox)):
        original = cls.start

        def start(self, _original=original, _name=name):  # type: ignore[no-untyped-def]
            started.append(_name)
            return _original(self)

        monkeypatch.setattr(cls, "start", start)
    seen: dict[str, object] = {}

    def inspect(stack: DemoStack) -> None:
        seen["clients"] = stack.runtime.clients()

    lines: list[str] = []
    code = run_demo(
        once=True, seed=3, port=0, database_url=None, out=tmp_path, echo=lines.append,
        after_week=inspect, crm=crm,
    )  # fmt: skip
    text = "\n".join(lines)
    assert code == 0, text
    assert "NOT AS EXPECTED" not in text
    for fact in facts:
        assert fact in text
    assert other not in set(started) and crm in set(started)
    assert getattr(seen["clients"], other) is None
