"""The model being served, replaced only by a model that validates.

``reload()`` builds the directory again; if the new model has errors it is
rejected with its issues and the last good manifest keeps serving (the
invariant "last good model serves").
"""

from __future__ import annotations

import threading
from pathlib import Path

from server.errors import ModelInvalid
from server.semantic.build import BuildResult, build_manifest
from server.semantic.diagnostics import Issue
from server.semantic.model import Manifest


class ModelStore:
    def __init__(self, directory: Path | str, dialect: str = "duckdb") -> None:
        self.directory = Path(directory)
        self.dialect = dialect
        self._lock = threading.Lock()
        self._manifest: Manifest | None = None
        self.last_issues: tuple[Issue, ...] = ()
        result = self.reload()
        if not result.ok:
            raise ModelInvalid(result.errors)

    @property
    def manifest(self) -> Manifest:
        assert self._manifest is not None
        return self._manifest

    def reload(self) -> BuildResult:
        """Build the directory again; swap it in only when it has no errors."""
        result = build_manifest(self.directory, self.dialect)
        with self._lock:
            self.last_issues = tuple(result.issues)
            if result.ok:
                self._manifest = result.manifest
        return result
