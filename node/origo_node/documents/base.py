"""What a document type is, and a base that does the schema half of validation for the types built on it.

A new type (an export declaration, a phytosanitary certificate) is one module with one class and one
``register_type`` call; nothing in the services changes.
"""

from __future__ import annotations

import copy
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from origo_node.documents import pointer
from origo_node.documents.fast_schema import compile_fast_check
from origo_node.documents.model import DocumentFacts, Problem, ValidationContext
from origo_node.documents.schema_check import schema_problems

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


@runtime_checkable
class DocumentType(Protocol):
    """A kind of document the consortium exchanges, in one version."""

    @property
    def name(self) -> str:
        """Stable slug, e.g. ``atiga-form-d``; with the version it makes the on-chain type id."""

    @property
    def version(self) -> str: ...

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) the node publishes for this type."""

    def validate(self, doc: dict[str, Any], ctx: ValidationContext) -> list[Problem]:
        """Every problem with ``doc``: schema violations and broken domain rules alike."""

    def facts(self, doc: dict[str, Any], ctx: ValidationContext) -> DocumentFacts:
        """The facts of a document ``validate`` found no problem with."""


class SchemaDocumentType(ABC):
    """A document type whose shape is a JSON Schema and whose meaning is checked by Python rules.

    Domain rules run even when the schema already failed, so one round trip reports every mistake; they must
    therefore read defensively (``pointer.resolve`` returns ``None`` for anything absent or mistyped). A
    domain problem at or below a pointer the schema already complained about is dropped: one complaint per
    field is enough.
    """

    name: str
    version: str
    #: Whether the importing member claims it at import (a certificate of origin), and so whether it awaits a
    #: claim while valid; a cargo manifest is only read.
    claimed_at_import: bool = True

    def __init__(self) -> None:
        self._schema = self.build_schema()
        # Checked and compiled at the first validation, not at import: every process of the node imports the
        # registry, and a new member's background process, which never validates, would wait ~0.1 s for it.
        self._compiled: tuple[Draft202012Validator, Callable[[Any], bool] | None] | None = None
        self._compiling = threading.Lock()

    def _validators(self) -> tuple[Draft202012Validator, Callable[[Any], bool] | None]:
        """The schema's validator and its fast pre-check, built once (the schema is checked first)."""
        compiled = self._compiled
        if compiled is None:
            with self._compiling:
                compiled = self._compiled
                if compiled is None:
                    # Imported here: a new member's background process, which replays and never validates,
                    # would spend ~0.1 s of its start-up importing jsonschema.
                    from jsonschema import Draft202012Validator

                    Draft202012Validator.check_schema(self._schema)
                    compiled = (Draft202012Validator(self._schema), compile_fast_check(self._schema))
                    self._compiled = compiled
        return compiled

    def warm(self) -> None:
        """Compiles the validators now (a process about to fork its API workers does, so they share them)."""
        self._validators()

    @abstractmethod
    def build_schema(self) -> dict[str, Any]: ...

    @abstractmethod
    def domain_problems(self, doc: dict[str, Any], ctx: ValidationContext) -> list[Problem]: ...

    @abstractmethod
    def facts(self, doc: dict[str, Any], ctx: ValidationContext) -> DocumentFacts: ...

    def json_schema(self) -> dict[str, Any]:
        # A copy: whoever publishes or extends it must not change what the validator uses.
        return copy.deepcopy(self._schema)

    def validate(self, doc: dict[str, Any], ctx: ValidationContext) -> list[Problem]:
        validator, passes_fast = self._validators()
        if passes_fast is not None and passes_fast(doc):
            from_schema: list[Problem] = []
        else:
            from_schema = schema_problems(validator, doc)
        from_rules = [
            problem
            for problem in self.domain_problems(doc, ctx)
            if not any(pointer.is_within(problem.pointer, known.pointer) for known in from_schema)
        ]
        return from_schema + from_rules
