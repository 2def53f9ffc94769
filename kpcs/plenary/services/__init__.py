"""Writes for meetings, documents, translations and packs; every write is audited."""
