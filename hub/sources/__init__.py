"""Pulls from external credit sources: orchestration (cache, single flight,
stale-if-error) and storage of what the connectors return."""
