"""The `baton doctor` and `baton setup` commands (the work is in ``baton/onboarding_run.py``).

The CRM clients load only when one of these commands runs, so they add nothing to the start-up
of ``baton serve`` or the other commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def doctor_commands(config_option: Any, load: Callable[[str | None], Any]) -> list[click.Command]:
    """The ``doctor`` and ``setup`` commands, bound to the CLI's --config option and loader."""

    @click.command("doctor")
    @config_option
    def doctor(config_path: str | None) -> None:
        """Check both CRMs and the public URL against the config; exit 0 when Baton can run."""
        from baton.onboarding_run import Admins, run_doctor

        config = load(config_path)
        raise SystemExit(run_doctor(config, Admins.for_config(config)))

    @click.command("setup")
    @config_option
    @click.option("--yes", is_flag=True, help="Create without asking.")
    def setup(config_path: str | None, yes: bool) -> None:
        """Create the HubSpot properties and Salesforce fields Baton writes; list the rest."""
        from baton.onboarding_run import Admins, run_setup

        config = load(config_path)
        confirm = (lambda _: True) if yes else (lambda text: click.confirm(text, default=False))
        raise SystemExit(run_setup(config, Admins.for_config(config), confirm=confirm))

    return [doctor, setup]
