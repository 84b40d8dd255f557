"""Pulls: fetching extracts from connectors, and storing each new revision of them."""
