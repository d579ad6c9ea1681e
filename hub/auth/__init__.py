"""Clients, signing keys, access tokens and principals."""
