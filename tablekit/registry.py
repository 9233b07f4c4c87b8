"""A small typed registry: field types, triggers and actions are looked up by their key.

Registries are built in ``create_app()`` from built-in lists (and later entry points), never
filled as import-time globals, so every test can build a fresh app.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeVar

from tablekit.errors import ValidationFailed


class Keyed(Protocol):
    @property
    def type(self) -> str: ...


T = TypeVar("T", bound=Keyed)


class Registry(Generic[T]):
    """Maps a ``type`` key (equal to the JSON ``type`` in the API) to an instance."""

    def __init__(self, kind: str, items: Iterable[T] = ()) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        for item in items:
            self.register(item)

    def register(self, item: T) -> None:
        if item.type in self._items:
            raise ValueError(f"{self.kind} {item.type!r} is already registered")
        self._items[item.type] = item

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            known = ", ".join(sorted(self._items))
            raise ValidationFailed(
                f"Unknown {self.kind} type {key!r}; expected one of: {known}",
                code=f"UNKNOWN_{self.kind.upper().replace(' ', '_')}_TYPE",
                details={"type": key},
            ) from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def keys(self) -> list[str]:
        return list(self._items)
