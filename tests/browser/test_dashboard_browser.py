"""A person at the dashboard in headless Chromium: signs in, reads the week's figures (the
model's), picks another week, drills down to the leads, switches to Dutch — on a laptop
(1280 px) and a phone (390 px), never scrolling sideways — with screenshots saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dashboard_helpers import PASSWORD, USER
from scorecard_scenario import LEADS, WEEK, lead_id

from connector.reports.scorecard import ScorecardFilters, build_scorecard
from webhooks.scorecard_view import format_value

VIEWPORTS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def no_sideways_scroll(page: Any, what: str) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"{what} scrolls sideways: {widths}"


def expected_figures(served: Any, language: str) -> dict[str, str]:
    """Every metric of the scenario week as the model computes it, formatted for ``language``."""
    runtime = served.runtime
    card = build_scorecard(runtime.store, runtime.config, WEEK, ScorecardFilters())
    with served.app.test_request_context("/", headers={"Accept-Language": language}):
        return {m.key: format_value(m.value, m.unit, card.currency) for m in card.metrics}


def shown_figures(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.metric')].map(
             m => [m.dataset.key, m.querySelector('.value').innerText.trim()]))"""
    )


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_person_reads_the_scorecard(
    browser: Any, served: Any, screenshots: Path, device: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{served.url}/?week={WEEK.isoformat()}")
        assert "/signin" in page.url  # not signed in yet
        no_sideways_scroll(page, "the sign-in form")
        page.fill("#username", USER)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector(".metric")
        assert page.url.endswith(f"/?week={WEEK.isoformat()}")

        assert shown_figures(page) == expected_figures(served, "en")
        assert page.evaluate("() => !!Chart.getChart('chart-0')")  # the shipped Chart.js drew
        no_sideways_scroll(page, "the scorecard")
        page.screenshot(path=str(screenshots / f"scorecard-en-{device}.png"), full_page=True)

        page.select_option("#week", "2026-11-16")  # the week picker
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**/?week=2026-11-16**")
        assert shown_figures(page)["mqls_delivered"] == "1"
        page.click("#next-week")
        page.wait_for_url("**/?week=2026-11-23**")

        page.click("#metric-mqls_delivered .value a")  # drill down
        page.wait_for_selector("#leads table")
        rows = page.locator("#leads tbody tr")
        assert rows.count() == len(LEADS)
        assert page.locator(f"text={lead_id(1)}").count() == 1
        link = page.locator("#leads tbody tr a").first.get_attribute("href")
        assert link == f"https://acme.my.salesforce.com/lightning/r/Lead/{lead_id(1)}/view"
        no_sideways_scroll(page, "the drill-down")
        page.screenshot(path=str(screenshots / f"leads-en-{device}.png"), full_page=True)
        page.go_back()

        page.click(".lang a[hreflang=nl]")  # switch language
        page.wait_for_selector("html[lang=nl]")
        assert "Wekelijkse scorecard" in page.inner_text("header")
        assert shown_figures(page) == expected_figures(served, "nl")
        no_sideways_scroll(page, "the Dutch scorecard")
        page.screenshot(path=str(screenshots / f"scorecard-nl-{device}.png"), full_page=True)

        page.click("nav.top a[href='/dashboard/']")  # the operations view, still signed in
        page.wait_for_selector("#handoffs")
        no_sideways_scroll(page, "the operations view")
        page.screenshot(path=str(screenshots / f"operations-{device}.png"), full_page=True)

        page.click("nav.top button")  # sign out
        page.wait_for_url("**/signin")
        page.goto(f"{served.url}/")
        assert "/signin" in page.url
    finally:
        context.close()
