"""The privacy job: erasure on a CRM's deletion, and the daily retention run (docs/PRIVACY.md)."""
