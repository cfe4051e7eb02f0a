"""The jobs Baton runs, in the order each event reaches them. Adding a job adds one line here."""

from __future__ import annotations

from collections.abc import Mapping

from connector.commands import System
from connector.config import BatonConfig
from connector.jobs.base import JobFactory, JobSetup
from connector.jobs.credit import job as credit
from connector.jobs.digest import job as digest
from connector.jobs.lifecycle import job as lifecycle
from connector.jobs.lifecycle import lead_pipeline
from connector.jobs.observe import job as observe
from connector.jobs.privacy import job as privacy
from connector.jobs.recycle import job as recycle
from connector.jobs.runner import JobRunner
from connector.jobs.sla import job as sla
from connector.ports import CrmReader

JOBS: tuple[JobFactory, ...] = (
    lifecycle.build,  # two-way stage sync and the MQL hand-off
    recycle.build,  # "not now" back to marketing nurture, and back to sales in time
    sla.build,  # first-response clocks on business time, breaches, the escalation ladder
    credit.build,  # marketing-influence credit on won opportunities, written to both CRMs
    digest.build,  # the weekly scorecard digest by e-mail and Slack, on its own timer
    observe.build,  # observe mode's daily summary of would-be writes
    privacy.build,  # erasure on a CRM's deletion, the retention run; last: others finish first
)


def build_runner(config: BatonConfig, readers: Mapping[System, CrmReader]) -> JobRunner:
    """Every registered job, set up for this config, behind one runner."""
    config = lead_pipeline.from_portal(config, readers.get(System.HUBSPOT))  # ids, not labels
    setup = JobSetup(config, readers)
    return JobRunner(tuple(factory(setup) for factory in JOBS), readers)
