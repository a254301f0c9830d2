"""tracker: a database of policy commitments, their history and their progress."""

__version__ = "0.1.0"
