"""Counts in messages: "1 finding", "3 findings"."""


def counted(count: int, noun: str) -> str:
    """`count` and `noun`, the noun with an s unless the count is one (every noun here takes an s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
