"""Reads for meetings, documents, translations, the compendium and packs."""
