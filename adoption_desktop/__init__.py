"""Adoption Desktop: case administration for English adoption agencies."""

__version__ = "0.1.0"
