"""The embedded database of the web app: accounts, sessions, login limits and the audit trail."""
