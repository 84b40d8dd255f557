"""Policy decisions: the compiled PolicySet every request asks, kept current across processes."""
