"""Origo node: what one customs authority runs to exchange documents with the consortium."""

__version__ = "0.1.0"
