"""The sources a server reads, built once at start: each a name, a connector and the target it renders for.

A :class:`Source` pairs a connector with the :class:`~server.render.targets.Target`
its capabilities name: the target's dialect is the connector's, and its mask
renderings are only those the connector says it can express, so SQL for a source
never holds a mask its engine cannot compute (rendering refuses it with 0A000
instead). Today one source serves everything, the embedded DuckDB called
:data:`DEFAULT_SOURCE`; the registry is where further engines (federation) are
added, as entries rather than as branches on an engine's name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from connectors.base import Capabilities, Connector
from server.errors import FeatureNotSupported
from server.render.targets import Target, target

DEFAULT_SOURCE = "default"


def target_for(capabilities: Capabilities) -> Target:
    """The target a connector's capabilities call for: its dialect, limited to the masks it can express."""
    found = target(capabilities.dialect)
    masks = {function: rendering for function, rendering in found.masks.items() if function in capabilities.masks}
    if len(masks) == len(found.masks):
        return found
    return dataclasses.replace(found, masks=masks)


@dataclass(frozen=True)
class Source:
    """One engine the server reads: where queries run (``connector``) and how their SQL is written (``target``)."""

    name: str
    connector: Connector
    target: Target

    @classmethod
    def of(cls, name: str, connector: Connector) -> Source:
        """The source ``name`` over ``connector``, its target read from the connector's capabilities."""
        return cls(name, connector, target_for(connector.capabilities))

    @property
    def capabilities(self) -> Capabilities:
        return self.connector.capabilities


class Sources:
    """The registry of sources, by name, with the one that serves relations naming no source."""

    def __init__(self, sources: Iterable[Source], default: str = DEFAULT_SOURCE) -> None:
        self._sources: dict[str, Source] = {}
        for source in sources:
            if source.name in self._sources:
                raise ValueError(f'two sources are named "{source.name}"')
            self._sources[source.name] = source
        if default not in self._sources:
            raise ValueError(f'the default source "{default}" is not among the sources')
        self.default_name = default

    @classmethod
    def single(cls, connector: Connector, name: str = DEFAULT_SOURCE) -> Sources:
        """A registry of one source, the default (what every server runs today)."""
        return cls([Source.of(name, connector)], default=name)

    @property
    def default(self) -> Source:
        return self._sources[self.default_name]

    def __getitem__(self, name: str) -> Source:
        found = self._sources.get(name)
        if found is None:
            raise FeatureNotSupported(f'unknown source "{name}"', hint="Sources: " + ", ".join(sorted(self._sources)))
        return found

    def __iter__(self) -> Iterator[Source]:
        return iter(self._sources.values())

    def __len__(self) -> int:
        return len(self._sources)

    def close(self) -> None:
        """Close every source's connector (each once, even if a close fails)."""
        errors: list[BaseException] = []
        for source in self._sources.values():
            try:
                source.connector.close()
            except Exception as error:
                errors.append(error)
        if errors:
            raise errors[0]
