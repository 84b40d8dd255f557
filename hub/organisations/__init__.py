"""Organisations: the local authorities, the nine regions, NARE and the hub's administrators."""
