"""The policy stage's entry point: one :class:`CallerGovernance` per (model version, caller).

The engine asks here what a caller may see (relations, members) and hands the
result to the compiler, which attaches each table's rules where it enters a
plan. Decisions are cached: a dashboard's repeated queries decide nothing twice.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from server.policy.governance import CallerGovernance
from server.policy.identity import Caller
from server.semantic.model import Manifest, Relation

_CACHE_SIZE = 1024
_cache: OrderedDict[tuple[str, str, bytes], CallerGovernance] = OrderedDict()
_lock = threading.Lock()


def governance_for(manifest: Manifest, caller: Caller, secret: bytes) -> CallerGovernance:
    key = (manifest.version, caller.fingerprint, secret)
    with _lock:
        found = _cache.get(key)
        if found is not None and found.manifest is manifest:
            _cache.move_to_end(key)
            return found
    governance = CallerGovernance(manifest, caller, secret)
    with _lock:
        _cache[key] = governance
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return governance


def visible_relations(manifest: Manifest, caller: Caller, secret: bytes = b"") -> Mapping[str, Relation]:
    """The relations ``caller`` may name in SQL, each with only its permitted members."""
    return governance_for(manifest, caller, secret).relations()
