"""Render what a ``baton backfill`` run did, pass by pass. Pure."""

from __future__ import annotations

from connector.admin.backfill_report import BackfillReport, PassReport

_LINK_WORDS = {
    "id_field": "by HubSpot-id field",
    "email": "by e-mail",
    "conversion": "by lead conversion",
    "already": "already linked",
    "conflict": "conflicts left alone",
    "none": "no match",
    "new": "new, not yet joined",
}


def backfill_text(report: BackfillReport) -> str:
    """One line per pass, then whether to run again and what to do next."""
    lines = [_pass_line(p) for p in report.passes]
    if report.stopped_at_limit:
        lines.append("stopped at --limit: run `baton backfill` again to continue where it stopped")
    elif report.complete:
        lines.append(
            "backfill complete: the worker (`baton serve`/`baton worker`, or `baton sync`) "
            "applies the queued events; preview with `baton sync --dry-run`"
        )
    return "\n".join(lines) + "\n"


def _pass_line(report: PassReport) -> str:
    if report.skipped_done:
        return f"{report.label}: already done (use --restart to run it again)"
    linked = ", ".join(
        f"{count} {_LINK_WORDS.get(how, how)}" for how, count in sorted(report.linked.items())
    )
    state = "done" if report.finished else "not finished"
    line = (
        f"{report.label}: {report.read} read; {report.states_recorded} state(s) recorded; "
        f"{report.events_new} event(s) queued"
    )
    if report.events_duplicate:
        line += f" ({report.events_duplicate} already queued before)"
    if linked:
        line += f"; linked: {linked}"
    return f"{line} [{state}]"
