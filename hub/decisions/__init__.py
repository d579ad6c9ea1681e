"""Scenario decisions: eligibility checks, outcome feedback, rule versions, stats."""
