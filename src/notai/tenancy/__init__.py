"""Integrations, API keys, plans and regions."""
