"""tabguard: a security reviewer for code accepted from AI assistants."""

__version__ = "0.1.0"
