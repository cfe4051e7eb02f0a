"""Recycling: a lead sales finds "not now" goes back to marketing nurture, and comes back in time.

``rules`` (pure: triggers, reasons, guards, the commands of a recycle and a re-activation),
``episodes`` (the ``recycle_episodes`` table), ``job`` (the handler), ``report`` (counts).
"""
