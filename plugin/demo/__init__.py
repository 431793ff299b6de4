"""Bundled sample data for `afterword demo`."""
