"""Supply chain: resolving imports and dependency files against what really exists."""
