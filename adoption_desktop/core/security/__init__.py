"""Secrets, database keys, users, roles and permissions."""
