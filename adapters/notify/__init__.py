"""Notifications: SMTP e-mail and Slack incoming webhooks, as the writer of System.NOTIFY."""
