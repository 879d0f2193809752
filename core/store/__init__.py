"""Persistence: the connection and unit of work, the SQL dialect, migrations, the instance rows and
the audit log."""
