"""The hub's domain rules, free of I/O and of Flask: measures, agreements, decisions, disclosure."""
