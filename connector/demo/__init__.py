"""``baton demo``: a seeded week of a revenue team played through the sandbox CRMs and Baton.

Modules: ``scenario`` (the pure, seeded plan), ``org`` (the CRMs' admin set-up and Baton's config),
``stack`` (starting and stopping everything), ``players`` (the people acting in the CRMs),
``checks`` (do both CRMs agree), ``summary`` (the report) and ``run`` (the command).
"""

from connector.demo.run import run_demo

__all__ = ["run_demo"]
