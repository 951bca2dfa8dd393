"""The policy stage's entry point: one :class:`CallerGovernance` per (model version, caller).

The engine asks here what a caller may see (relations, members) and hands the
result to the compiler, which attaches each table's rules where it enters a
plan. Decisions are cached: a dashboard's repeated queries decide nothing twice.
"""

from __future__ import annotations

from server.cache import LRUCache
from server.policy.governance import CallerGovernance
from server.policy.identity import Caller
from server.semantic.model import Manifest

# Decisions a worker remembers, one per (model version, caller fingerprint, mask key): callers
# with the same groups and attributes share one.
GOVERNANCE_CACHE_SIZE = 1024
_cache = LRUCache[tuple[str, str, bytes], CallerGovernance](GOVERNANCE_CACHE_SIZE)


def governance_for(manifest: Manifest, caller: Caller, secret: bytes) -> CallerGovernance:
    key = (manifest.version, caller.fingerprint, secret)
    found = _cache.get(key)
    if found is not None and found.manifest is manifest:
        return found
    governance = CallerGovernance(manifest, caller, secret)
    _cache.put(key, governance)
    return governance
