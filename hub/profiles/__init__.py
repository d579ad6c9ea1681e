"""Credit profiles: what one grantee may see for one purpose, loaded minimally."""
