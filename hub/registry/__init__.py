"""The connector registry: each LA's connector, checked before it is accepted."""
