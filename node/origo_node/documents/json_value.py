"""A document as JSON: the type every reader of a document's body takes, and a reader that narrows it.

A document is a JSON object whose shape depends on its type and version; its type's JSON Schema and rules
check it (``documents.base``). Code that reads a document takes a ``JsonObject`` and reads its members through
``Fields``, which says what kind each member must be, so that strict mypy follows every value read and a
document of another shape fails with one error (``ShapeError``) instead of a ``KeyError`` deep in a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from origo_node.documents import pointer

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonObject: TypeAlias = dict[str, JsonValue]


class ShapeError(ValueError):
    """A member a reader needs is absent or of another kind: a document its type's schema would refuse."""

    def __init__(self, where: str, wanted: str) -> None:
        super().__init__(f"{where or '/'} is not {wanted}")
        self.where = where


@dataclass(frozen=True, slots=True)
class Fields:
    """The members of one JSON object of a document, each read as the kind it must be.

    ``where`` is the object's JSON pointer in the document, so that an error names the member."""

    values: JsonObject
    where: str = ""

    def _at(self, name: str) -> str:
        return pointer.join(self.where, name)

    def value(self, name: str) -> JsonValue:
        """The member as it is, ``None`` when absent."""
        return self.values.get(name)

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if not isinstance(value, str):
            raise ShapeError(self._at(name), "a string")
        return value

    def optional_text(self, name: str) -> str | None:
        """The string, or ``None`` when the member is absent or null."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ShapeError(self._at(name), "a string")
        return value

    def integer(self, name: str) -> int:
        value = self.values.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ShapeError(self._at(name), "an integer")
        return value

    def fields(self, name: str) -> Fields:
        found = self.optional_fields(name)
        if found is None:
            raise ShapeError(self._at(name), "an object")
        return found

    def optional_fields(self, name: str) -> Fields | None:
        """The object, or ``None`` when the member is absent or null."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ShapeError(self._at(name), "an object")
        return Fields(value, self._at(name))

    def each(self, name: str) -> list[Fields]:
        """The objects of an array member (an absent member is no objects)."""
        value = self.values.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ShapeError(self._at(name), "an array")
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise ShapeError(pointer.join(self._at(name), index), "an object")
            found.append(Fields(item, pointer.join(self._at(name), index)))
        return found

    def ticked(self) -> frozenset[str]:
        """The names of the members that are set (an object of flags)."""
        return frozenset(name for name, value in self.values.items() if value)
