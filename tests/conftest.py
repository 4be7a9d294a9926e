"""Hypothesis profiles: `ci` (default, a fixed budget) and `long` (nightly-style: --hypothesis-profile=long)."""

from hypothesis import HealthCheck, settings

# CI replays a fixed set of examples (derandomized) so a run is reproducible; `long` explores anew.
settings.register_profile(
    "ci", max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile("ci")
