"""Writes for peer review, one module per part of the cycle. Every write is audited."""
