"""The weekly scorecard digest: e-mail and Slack on ``scorecard.send_on``/``send_at``."""
