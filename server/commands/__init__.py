"""Subcommands of the `tabguard` command line."""
