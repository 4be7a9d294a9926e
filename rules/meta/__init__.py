"""Rules about tabguard itself (suppressions)."""
