"""Shared plumbing: configuration, Spark session, storage, data sources, output."""
