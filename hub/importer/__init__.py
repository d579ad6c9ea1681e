"""Bulk import of entities, credit records and list memberships.

See interfaces.md, "Import format": JSON Lines or CSV, idempotent upserts,
bad rows quarantined with their line number and reason.
"""

from hub.importer.service import ImportSummary, import_file, import_rows

__all__ = ["ImportSummary", "import_file", "import_rows"]
