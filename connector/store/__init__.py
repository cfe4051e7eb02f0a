"""Baton's store: SQLAlchemy models, engines and migrations."""

from connector.store.db import Store, resolve_database_url
from connector.store.migrate import upgrade

__all__ = ["Store", "resolve_database_url", "upgrade"]
