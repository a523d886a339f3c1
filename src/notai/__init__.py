"""notai: open, self-hostable detection of AI agents in learning platforms."""

__version__ = "0.1.0"
