"""Authorization and logic flaws: IDOR, unguarded admin actions, tokens and sessions."""
