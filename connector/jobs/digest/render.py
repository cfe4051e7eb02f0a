"""The digest's words: the scorecard as plain text, HTML and a Slack message (pure).

Words come from :mod:`connector.reports.scorecard.texts` by key, so a translation catalogue can
replace them in one place. People stay CRM ids; leads are not listed (the dashboard's drill-down
has them), so the digest carries no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from connector.reports.scorecard.model import Metric, Scorecard
from connector.reports.scorecard.texts import DIGEST

TEAMS = ("marketing", "sales", "together")


@dataclass(frozen=True, slots=True)
class Digest:
    """One week's digest in every form it is sent in."""

    subject: str
    text: str
    html: str
    slack: str
    #: metrics below target for ``escalate_after_weeks`` or more (management's line)
    escalated: tuple[str, ...]


def amount(value: Decimal | int | None, unit: str, currency: str) -> str:
    """A figure with its unit: ``50.0 %``, ``2.50 h``, ``EUR 1000.00``, ``4``."""
    if value is None:
        return DIGEST["no_data"]
    if unit == "percent":
        return f"{value} %"
    if unit == "hours":
        return f"{value} h"
    if unit == "days":
        return f"{value} d"
    if unit == "money":
        return f"{currency} {value}"
    return str(value)


def _judgement(metric: Metric, currency: str) -> str:
    if metric.status in ("no_target", "no_data"):
        return ""
    target = DIGEST["target"].format(target=amount(metric.target, metric.unit, currency))
    return f" ({target}, {DIGEST['status.' + metric.status]})"


def escalations(card: Scorecard, after_weeks: int) -> list[Metric]:
    """Metrics below target for at least ``after_weeks`` weeks in a row."""
    return [m for m in card.metrics if m.weeks_below_target >= after_weeks]


def render(card: Scorecard, after_weeks: int, dashboard_url: str | None = None) -> Digest:
    """The digest of ``card``; ``after_weeks`` is ``scorecard.escalate_after_weeks``."""
    week = card.week_start.isoformat()
    subject = DIGEST["subject"].format(week=week)
    heading = DIGEST["heading"].format(
        start=week, end=card.week_end.isoformat(), timezone=card.timezone
    )
    lagging = escalations(card, after_weeks)
    management = [
        DIGEST["escalate"].format(label=m.label, weeks=m.weeks_below_target) for m in lagging
    ] or [DIGEST["no_escalation"].format(weeks=after_weeks)]
    groups = [
        (DIGEST[f"team.{team}"], [m for m in card.metrics if m.team == team]) for team in TEAMS
    ]
    groups = [(name, found) for name, found in groups if found]
    link = DIGEST["link"].format(url=dashboard_url) if dashboard_url else ""

    text = [heading, ""]
    html = [f"<h1>{escape(heading)}</h1>"]
    slack = [f"*{heading}*"]
    for name, found in groups:
        text += [name]
        html += [f"<h2>{escape(name)}</h2>", "<ul>"]
        slack += ["", f"*{name}*"]
        for m in found:
            line = (
                f"{m.label}: {amount(m.value, m.unit, card.currency)}{_judgement(m, card.currency)}"
            )
            text.append(f"- {line}")
            html.append(f"<li>{escape(line)}</li>")
            slack.append(f"• {line}")
        text.append("")
        html.append("</ul>")
    text += management
    html += [f"<p><strong>{escape(line)}</strong></p>" for line in management]
    slack += ["", *(f"*{line}*" for line in management)]
    if link:
        text += ["", link]
        html.append(f'<p><a href="{escape(dashboard_url or "")}">{escape(link)}</a></p>')
        slack += ["", link]
    return Digest(
        subject=subject,
        text="\n".join(text) + "\n",
        html="<!doctype html><html><body>" + "".join(html) + "</body></html>",
        slack="\n".join(slack),
        escalated=tuple(m.key for m in lagging),
    )
