"""Interchange: files in and out of a tracker database.

`export` writes the whole database as one document (JSON or YAML, lossless) or as a CSV or an
Excel workbook for spreadsheets; `loading` reads fixtures, exports, spreadsheets' CSV and
workbooks back in. A load is one
transaction: files are read as streams, checked as they are read and written in batches, and
any problem in them rolls the whole transaction back, after every problem has been listed.
"""
