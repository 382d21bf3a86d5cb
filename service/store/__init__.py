"""Persistence: tables, the database connection, migrations and the unit of work."""
