"""The digest's words: the scorecard as plain text, HTML and a Slack message (pure).

Words come from :mod:`connector.reports.scorecard.texts` by key and, in another language than
English, from the scorecard's catalog (:mod:`connector.reports.scorecard.catalog`, the one the
dashboard uses too); figures and dates follow that language's conventions (``€ 97.000``,
``23 nov 2026``). People stay CRM ids; leads are not listed (the dashboard's drill-down has
them), so the digest carries no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from connector.reports.scorecard import formats
from connector.reports.scorecard.catalog import word
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


@dataclass(frozen=True, slots=True)
class Words:
    """The digest's words and formats in one language ("en", "nl")."""

    language: str = "en"

    def __call__(self, key: str) -> str:
        """A digest phrase by key (``scorecard.digest.<key>``)."""
        return word(self.language, f"scorecard.digest.{key}", DIGEST[key])

    def label(self, metric: Metric) -> str:
        """The metric's label in this language."""
        return word(self.language, f"scorecard.metric.{metric.key}.label", metric.label)

    def amount(self, value: Decimal | int | None, unit: str, currency: str) -> str:
        """A figure with its unit: ``50%``, ``2.5 h``, ``€1,000``, ``4`` (the locale's way)."""
        if value is None:
            return self("no_data")
        if unit == "percent":
            return formats.percent(value, self.language)
        if unit == "hours":
            return formats.hours(value, self.language)
        if unit == "money":
            return formats.money(value, currency, self.language)
        digits = 1 if isinstance(value, Decimal) and value % 1 else 0
        shown = formats.number(value, digits, self.language)
        return f"{shown} d" if unit == "days" else shown


def _judgement(metric: Metric, currency: str, words: Words) -> str:
    if metric.status in ("no_target", "no_data"):
        return ""
    target = words("target").format(target=words.amount(metric.target, metric.unit, currency))
    return f" ({target}, {words('status.' + metric.status)})"


def escalations(card: Scorecard, after_weeks: int) -> list[Metric]:
    """Metrics below target for at least ``after_weeks`` weeks in a row."""
    return [m for m in card.metrics if m.weeks_below_target >= after_weeks]


def render(
    card: Scorecard, after_weeks: int, dashboard_url: str | None = None, language: str = "en"
) -> Digest:
    """The digest of ``card`` in ``language``; ``after_weeks`` is
    ``scorecard.escalate_after_weeks``."""
    words = Words(language)
    start, end = (formats.day(d, language) for d in (card.week_start, card.week_end))
    subject = words("subject").format(week=start)
    heading = words("heading").format(start=start, end=end, timezone=card.timezone)
    lagging = escalations(card, after_weeks)
    management = [
        words("escalate").format(label=words.label(m), weeks=m.weeks_below_target) for m in lagging
    ] or [words("no_escalation").format(weeks=after_weeks)]
    groups = [
        (words(f"team.{team}"), [m for m in card.metrics if m.team == team]) for team in TEAMS
    ]
    groups = [(name, found) for name, found in groups if found]
    link = words("link").format(url=dashboard_url) if dashboard_url else ""

    text = [heading, ""]
    html = [f"<h1>{escape(heading)}</h1>"]
    slack = [f"*{heading}*"]
    for name, found in groups:
        text += [name]
        html += [f"<h2>{escape(name)}</h2>", "<ul>"]
        slack += ["", f"*{name}*"]
        for m in found:
            shown = words.amount(m.value, m.unit, card.currency)
            line = f"{words.label(m)}: {shown}{_judgement(m, card.currency, words)}"
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
        html=f'<!doctype html><html lang="{escape(language)}"><body>'
        + "".join(html)
        + "</body></html>",
        slack="\n".join(slack),
        escalated=tuple(m.key for m in lagging),
    )
