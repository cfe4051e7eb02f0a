"""Recycling: a lead sales finds "not now" goes back to marketing nurture, and comes back in time.

``rules`` (pure: triggers, reasons, guards, parking, the history line),
``episodes`` (the ``recycle_episodes`` table), ``job`` (the handler); the counts the dashboard
and the demo show are ``connector.reports.recycling``.
"""
