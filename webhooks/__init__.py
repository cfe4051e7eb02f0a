"""Flask receivers: verify, normalize, store durably, then acknowledge."""
