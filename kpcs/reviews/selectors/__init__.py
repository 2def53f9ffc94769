"""Reads for peer review, one module per part of the cycle; `access` holds who may see what."""
