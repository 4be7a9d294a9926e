"""Cryptography, randomness and hardcoded secrets."""
