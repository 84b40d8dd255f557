"""Data-sharing agreements as stored versions: validated, loaded, listed."""
