"""Observe mode's daily summary of would-be writes (the mode itself: ``connector.observing``)."""
