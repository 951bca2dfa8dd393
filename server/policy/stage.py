"""The policy stage: what a caller may see, applied to plans before they are rendered.

This is the hook the governance issue fills. Today it admits every public
relation and member and returns plans unchanged, with an empty journal.
"""

from __future__ import annotations

from collections.abc import Mapping

from server.compiler.plan import SemanticPlan
from server.policy.identity import Caller
from server.semantic.model import Manifest, Relation


def visible_relations(manifest: Manifest, caller: Caller) -> Mapping[str, Relation]:
    """The relations ``caller`` may name in SQL."""
    del caller
    return {name: relation for name, relation in manifest.relations.items() if relation.public}


def govern(plan: SemanticPlan, manifest: Manifest, caller: Caller) -> SemanticPlan:
    """Attach row filters and masks at the scans of ``plan`` for ``caller``."""
    del manifest, caller
    return plan
