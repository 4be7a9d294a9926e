"""Compliance: secrets and personal data in logs, error details returned to clients."""
