"""The LA-side reference connector, its simulator, and the client the hub pulls extracts with."""
