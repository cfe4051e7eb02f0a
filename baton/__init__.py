"""The composition root: the ``baton`` command, ``serve`` and the demo.

The one package that sees every other one. ``connector`` (the core) knows neither the Flask front
door (``webhooks``) nor the CRM stand-ins (``sandbox``); this package wires them together, and only
its demo starts the stand-ins (contracts in pyproject.toml, checked by ``make lint``).
"""
