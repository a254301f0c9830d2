"""The store: the one way tracker reaches its database, for reads and writes alike.

- `database`: `Database`, typed rows over stdlib sqlite3 (SQLite files) or SQLAlchemy (PostgreSQL);
- `transactions`: opening a database to read, or for one write transaction per command;
- `problems`: database failures explained in one line;
- `engine`: SQLAlchemy engines, for PostgreSQL and for schema creation and migrations;
- SQL text by concern: `commitments`, `timeline` (its rule: tracker.timeline), `reports`,
  `interchange`, `upkeep`, and `writes` (what the write commands change).

Importing this package imports nothing else: each command loads only the modules it uses.
"""
