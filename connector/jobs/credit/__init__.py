"""Marketing-influence credit: the pure part (timeline, exact apportionment, models).

Nothing here reads a CRM or the store. ``timeline`` builds the ordered, deduplicated touches of
one deal; ``models`` and ``markov`` turn it into weights; ``allocation`` turns weights into
integer minor units that sum exactly to the amount; ``compute`` runs the configured models;
``simulation`` reads and reports the ``baton credit simulate`` file. See docs/credit.md.
"""
