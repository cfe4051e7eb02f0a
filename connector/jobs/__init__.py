"""Baton's jobs: each a package with its pure decisions and one handler (see docs/adrs/002).

Lifecycle sync + hand-off, recycling, SLA escalations and influence credit each live in
``connector/jobs/<job>/``; the registry below names the jobs the worker runs.
"""
