"""Stand-ins for HubSpot and Salesforce served over real HTTP on loopback."""
