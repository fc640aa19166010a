"""Accounts, roles, API tokens and the access policy."""
