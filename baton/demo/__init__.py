"""``baton demo``: a seeded week of a revenue team played through the sandbox CRMs and Baton.

Modules: ``scenario`` (the pure, seeded plan of the week) and ``cast`` (its people and words),
``org`` (the CRMs' admin set-up and Baton's config), ``stack`` (starting and stopping
everything), ``players`` (the people acting in the CRMs), ``checks`` (do both CRMs agree),
``facts`` (what happened, read from the CRMs and the store), ``summary`` (its wording),
``host`` (database file, proxies, signals) and ``run`` (the command).
"""

from baton.demo.run import run_demo

__all__ = ["run_demo"]
