"""Test-wide setup: compiled modules cached outside the checkout, Hypothesis profiles (`ci` by
default, `long` with --hypothesis-profile=long), an empty user config folder, a temporary user cache
folder and the strict-run checks (strict_run.py)."""

import os
import sys
import tempfile
from pathlib import Path

# PYTHONDONTWRITEBYTECODE (set by .ci/run, and on many machines) keeps __pycache__ out of the tree,
# but then every test process compiles tabguard and rewrites the test modules' asserts anew (about
# 2 s of CPU each, and each `tabguard` a test starts compiles what it imports). They are cached in the
# user's cache folder instead, outside the checkout, for this process and the ones it starts.
if sys.dont_write_bytecode and not sys.pycache_prefix:
    _BYTECODE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tabguard" / "test-bytecode"
    sys.dont_write_bytecode, sys.pycache_prefix = False, str(_BYTECODE)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(_BYTECODE)

from hypothesis import HealthCheck, settings

pytest_plugins = ("strict_run",)

# CI replays a fixed set of examples (derandomized) so a run is reproducible; `long` explores anew.
settings.register_profile(
    "ci", max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile("ci")

# No test reads the developer's own ~/.config/tabguard/config.toml (nor do the servers they start):
# tests that need a user config point XDG_CONFIG_HOME at their own folder.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="tabguard-user-config-")
# Caches live in the user's cache folder; the tests' (and their servers') is a temporary one.
os.environ["TABGUARD_CACHE_DIR"] = tempfile.mkdtemp(prefix="tabguard-user-cache-")
