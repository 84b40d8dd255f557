"""A corpus of CSWW census returns written from the schema (see corpus.py)."""
