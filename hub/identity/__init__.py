"""Identity: the hub as an OAuth2 authorization server, its clients, its people."""
