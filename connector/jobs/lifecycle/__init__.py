"""Lifecycle sync and hand-off: pure rules (mapping, rules, handoff) plus their I/O (processor)."""
