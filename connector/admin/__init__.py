"""Admin tools behind ``baton explain``, ``dead-letters``, ``sync`` and ``backfill``.

Each command has a query/action module (store and CRM I/O) and a pure formatting module, so the
output an admin reads is tested without a database and the queries without a terminal.
"""
