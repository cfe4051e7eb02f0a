"""SLA job: business-time arithmetic now; clocks, breaches and escalations follow (issue 11).

``calendar`` answers "when is this due?" and "how much business time has passed?" from
``sla.calendar`` (and an owner's own hours); it is pure and knows nothing of the store.
"""
