"""Typed keys for ``core.data``: a plugin's shared objects without string-keyed globals."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

_T = TypeVar("_T")


class DataKey(str, Generic[_T]):
    """A ``str`` key that carries the type of the value stored under it in ``CoreData``."""

    __slots__ = ()


class CoreData(dict[str, Any]):
    """``core.data``: a dict whose ``DataKey[T]`` lookups are typed ``T``."""

    @overload
    def __getitem__(self, key: DataKey[_T]) -> _T: ...
    @overload
    def __getitem__(self, key: str) -> Any: ...
    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key)

    @overload  # type: ignore[override]
    def get(self, key: DataKey[_T], default: None = None) -> _T | None: ...
    @overload
    def get(self, key: str, default: Any = None) -> Any: ...
    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key, default)
