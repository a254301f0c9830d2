"""Interchange: files in and out of a tracker database.

`export` writes the whole database as one document (JSON or YAML, lossless) or as a CSV for
spreadsheets; `loading` reads fixtures, exports and spreadsheets' CSV back in. Each loader
checks a whole file before writing anything, and a load is one transaction.
"""
