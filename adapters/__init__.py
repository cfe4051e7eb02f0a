"""One module per outside system (HubSpot, Salesforce, notifiers), each behind a small port."""
