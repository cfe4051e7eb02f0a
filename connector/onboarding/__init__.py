"""Admin onboarding: what a config needs in each CRM, the checks of `baton doctor` and the plan of
`baton setup`. Pure: the CRM reads and writes happen in ``baton/`` through ``adapters/``."""
