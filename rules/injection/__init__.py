"""Injection rules."""
