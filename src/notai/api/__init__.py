"""The public, read-only REST API v1."""
