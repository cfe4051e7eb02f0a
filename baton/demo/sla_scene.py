"""The demo week's SLA scene: the leads nobody called, the ladder they walk, the mail it sends.

The week plays in minutes of real time, so no first-response deadline (business hours away)
passes while it plays. After the week the demo moves the clock (time-machine, as the earlier
weeks do) to just after the last ladder step of the last running clock, and lets Baton's
production SLA job do the rest: each deadline re-reads the CRMs' activities, records the breach,
mails the owner, later the manager, and the per-rep ladder tells the rep's manager of their first
miss and the director of the second. The mail goes to a real SMTP server on loopback (aiosmtpd)
that the demo starts, so what the summary counts is what arrived there.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import time_machine
from sqlalchemy import select

from connector.jobs.sla.calendar import BusinessTime, business_hours
from connector.store.models import OutboxCommand, SlaClock

#: the demo's ladder: the owner at the breach, their manager two business hours later; beside
#: it, the agreement's per-rep ladder (1st miss of the week → manager, 2nd → director)
LADDER = [
    {"after_business_hours": 0, "notify": "owner", "channels": ["email"]},
    {"after_business_hours": 2, "notify": "manager", "channels": ["email"]},
]
PER_REP = {"period": "week", "steps": ["manager", "director"], "channels": ["email"]}


class Mailbox:
    """An SMTP server on loopback that keeps who each mail was for and its subject."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.mails: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        with socket.socket() as probe:  # aiosmtpd needs a port number, not 0
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes

        subject = str(message_from_bytes(envelope.content).get("Subject", ""))
        with self._lock:
            self.mails += [(str(to), subject) for to in envelope.rcpt_tos]
        return "250 OK"

    def stop(self) -> None:
        self._controller.stop()


def open_mailbox() -> Mailbox | None:
    """The demo's SMTP server, or None when aiosmtpd is not installed (the scene then says so)."""
    try:
        return Mailbox()
    except ImportError:
        return None


def config_changes(mailbox: Mailbox | None) -> dict[str, Any]:
    """The escalation settings of the demo team (mail only when the demo's server runs)."""
    changes: dict[str, Any] = {"escalation.ladder": LADDER, "escalation.per_rep": PER_REP}
    if mailbox is not None:
        changes["notifiers.email"] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "from_address": "baton@baton-demo.nl",
            "starttls": False,
        }
    return changes


@dataclass
class SlaScene:
    """What the scene showed: clock states, notices by who they reached, mail that arrived."""

    states: Counter[str] = field(default_factory=Counter)
    ladder: Counter[str] = field(default_factory=Counter)  # per-lead steps by role
    per_rep: Counter[str] = field(default_factory=Counter)  # per-rep notices by role
    mails: int = 0
    moved_to: str = ""
    note: str = ""


def play(stack: Any, wait: Any) -> SlaScene:
    """Move the clock past the last step of the last running clock; let Baton escalate."""
    config = stack.runtime.config
    mailbox = getattr(stack, "mailbox", None)
    with stack.runtime.store.session() as session:
        running = list(session.scalars(select(SlaClock).where(SlaClock.state == "running")))
    scene = SlaScene()
    if running:
        calendar = BusinessTime(config.sla.calendar)
        last = max(c.deadline_at for c in running)
        offset = business_hours(max(s.after_business_hours for s in config.escalation.ladder))
        target = calendar.add(last, offset) + timedelta(minutes=1)
        scene.moved_to = target.astimezone(calendar.zone).strftime("%a %d %b %H:%M")
        with time_machine.travel(target, tick=True):
            wait()
    with stack.runtime.store.session() as session:
        scene.states = Counter(session.scalars(select(SlaClock.state)))
        for row in session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "notify")):
            if row.status != "done":
                continue
            role = str(row.payload.get("role", ""))
            (scene.per_rep if row.payload.get("rep_miss") else scene.ladder)[role] += 1
    scene.mails = len(mailbox.mails) if mailbox is not None else 0
    if mailbox is None:
        scene.note = "no mail server: aiosmtpd is missing (reinstall Baton: pip install -e .)"
    return scene


def format_scene(scene: SlaScene, hours: float) -> list[str]:
    """The summary's SLA section."""
    missed = scene.states.get("breached", 0) + scene.states.get("acted", 0)
    lines = [
        f"SLA (first touch within {hours:g} business hours)",
        f"  Met {scene.states.get('met', 0)} · missed {missed} · ended "
        f"{scene.states.get('ended', 0)} · still running {scene.states.get('running', 0)}",
    ]
    if scene.moved_to:
        lines.append(f"  Clock moved to {scene.moved_to}: the deadlines passed, the ladder walked")
    steps = ", ".join(f"{role} {n}" for role, n in sorted(scene.ladder.items())) or "none"
    reps = ", ".join(f"{role} {n}" for role, n in sorted(scene.per_rep.items())) or "none"
    lines.append(f"  Escalations sent  per lead: {steps} · per rep (1st miss → manager, "
                 f"2nd → director): {reps}")  # fmt: skip
    lines.append(f"  E-mails caught by the demo's SMTP server  {scene.mails}")
    if scene.note:
        lines.append(f"  ({scene.note})")
    return [*lines, ""]
