"""Consents: one purpose, explicit categories, an expiry, a signed receipt."""
