"""Baton's domain core: events, store, rules, worker. No HTTP framework in here."""
