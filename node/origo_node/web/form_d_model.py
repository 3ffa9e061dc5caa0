"""The Form D as laid out, typed: what ``form_d_page.layout`` builds and both renderings read.

The PDF (``form_d_pdf``) reads the attributes; ``answer`` is the one place that turns the layout into the
``FormD`` answer of ``GET /api/v1/documents/{key}/form-d`` (node/API.md), from which ``form-d.html`` draws
the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from origo_api import desk_answers as shown

from origo_node.web.marks import Mark


@dataclass(frozen=True)
class Check:
    """One tick box of the form (box 4's treatment given / not given, box 13's seven)."""

    label: str
    checked: bool

    def answer(self) -> shown.Check:
        return shown.Check(label=self.label, checked=self.checked)


@dataclass(frozen=True, kw_only=True)
class Box:
    """A numbered box: its title as printed, its lines of text, and its tick boxes (boxes 4 and 13 only)."""

    number: int
    title: str
    lines: tuple[str, ...]
    checks: tuple[Check, ...] | None = None

    def answer(self) -> shown.Box:
        checks = None if self.checks is None else [check.answer() for check in self.checks]
        return shown.Box(number=self.number, title=self.title, lines=list(self.lines), checks=checks)


@dataclass(frozen=True)
class ItemColumn:
    """One of the item table's columns, boxes 5 to 10."""

    number: int
    title: str

    def answer(self) -> shown.ItemColumn:
        return shown.ItemColumn(number=self.number, title=self.title)


@dataclass(frozen=True)
class ItemTable:
    """Boxes 5 to 10: one row per item, one cell per column."""

    columns: tuple[ItemColumn, ...]
    rows: tuple[tuple[str, ...], ...]

    def answer(self) -> shown.Items:
        return shown.Items(columns=[c.answer() for c in self.columns], rows=[list(row) for row in self.rows])


@dataclass(frozen=True, kw_only=True)
class FormDLayout:
    """The whole form: its heading, the state on the chain (and the mark across it when it cannot be used),
    boxes 1-4 and 11-13, and the item table; ``printed`` says where and when, once the node prints it."""

    reference: str
    issued_in: str
    title: tuple[str, ...]
    state: str
    state_title: str
    mark: Mark | None
    document_id: str | None
    boxes: tuple[Box, ...]
    items: ItemTable
    printed: str | None = None

    def box(self, number: int) -> Box:
        """The box of that number (1-4 and 11-13; the item table holds 5-10)."""
        for box in self.boxes:
            if box.number == number:
                return box
        raise KeyError(number)

    def answer(self) -> shown.FormD:
        """The API's ``FormD`` answer."""
        return shown.FormD(
            reference=self.reference,
            issued_in=self.issued_in,
            title=list(self.title),
            state=self.state,
            state_title=self.state_title,
            mark=None if self.mark is None else self.mark.answer(),
            document_id=self.document_id,
            printed=self.printed,
            boxes=[box.answer() for box in self.boxes],
            items=self.items.answer(),
        )
