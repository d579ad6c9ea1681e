"""Tamper-evident audit trail: every access and every action, hash-chained."""
