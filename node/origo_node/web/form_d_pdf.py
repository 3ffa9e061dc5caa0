"""The Form D layout (``form_d_page.layout``) drawn as an A4 PDF with fpdf2 (pure Python, nothing to install).

Text is set in DejaVu Sans where the system has it (Vietnamese, Malay, Indonesian and Filipino letters);
otherwise in the PDF's built-in Helvetica, where a letter outside Latin-1 is printed as '?' (and logged),
because a certificate must print even on a bare server.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from origo_node.web.form_d_model import Box, FormDLayout, ItemTable
from origo_node.web.marks import Mark

log = logging.getLogger(__name__)

_FONT_CANDIDATES = (
    os.environ.get("ORIGO_PDF_FONT", ""),
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 10.0
INNER = PAGE_W - 2 * MARGIN
HALF = INNER / 2
#: Widths of the item columns, boxes 5 to 10 (mm), as wide as the paper form gives them.
ITEM_WIDTHS = (12.0, 30.0, 72.0, 22.0, 28.0, 26.0)
LINE = 3.6
#: The mark's colour by the verdict's tone: red for a certificate that must not be used, blue for one used up.
_MARK_COLOURS = {"bad": (180, 35, 24), "wait": (138, 90, 0), "done": (31, 78, 140)}
#: Where a cell's line may break: after a space; in a long mark or number, also after a "/" or "-".
_SPACES = re.compile(r"(?<= )")
_BREAK_AFTER = re.compile(r"(?<=[/\-])|(?<= )")


class _Form(FPDF):
    def __init__(self, footer_text: str = "") -> None:
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.unicode = False
        for candidate in _FONT_CANDIDATES:
            bold = candidate.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
            if candidate and Path(candidate).is_file():
                self.add_font("Body", "", candidate)
                self.add_font("Body", "B", bold if Path(bold).is_file() else candidate)
                self.unicode = True
                break
        self.family = "Body" if self.unicode else "Helvetica"

    def footer(self) -> None:
        self.font(6.5)
        self.set_xy(MARGIN, PAGE_H - MARGIN - 6)
        self.multi_cell(INNER - 20, 3, self.clean(self.footer_text), align="L")
        self.set_xy(PAGE_W - MARGIN - 20, PAGE_H - MARGIN - 4)
        self.cell(20, 3, f"page {self.page_no()}/{{nb}}", align="R")

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def clean(self, text: str) -> str:
        if self.unicode:
            return text
        safe = text.encode("latin-1", errors="replace").decode("latin-1")
        if safe != text:
            log.warning("no Unicode font (set ORIGO_PDF_FONT): letters outside Latin-1 printed as '?'")
        return safe

    def text_height(self, width: float, text: str, size: float) -> float:
        self.font(size)
        height = self.multi_cell(width, LINE, self.clean(text), dry_run=True, output=MethodReturnValue.HEIGHT)
        return float(height)  # type: ignore[arg-type]

    def write_lines(self, x: float, y: float, width: float, lines: Sequence[str], size: float = 8.0) -> float:
        """Writes the lines from (x, y); returns the y below them."""
        self.font(size)
        for line in lines:
            self.set_xy(x, y)
            self.multi_cell(width, LINE, self.clean(line), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
            y = self.get_y()
        return y

    def cell_lines(self, width: float, text: str, size: float = 8.0) -> tuple[list[str], float]:
        """A table cell's text as lines that fit ``width``, and the size they are set in.

        Lines break at spaces. A mark or number that does not fit its column ("CPMS/TH/2026/001-400") is set
        smaller first (down to 6.5 pt), then broken only after a "/" or "-", never inside a word.
        """
        room = width - 2 * self.c_margin  # what multi_cell leaves for the text itself
        for breaks in (_SPACES, _BREAK_AFTER):
            for attempt in (size, size - 0.5, size - 1, size - 1.5):
                self.font(attempt)
                lines = [line for part in text.split("\n") for line in self._wrap(part, room, breaks)]
                if all(self.get_string_width(self.clean(line)) <= room for line in lines):
                    return lines, attempt
        return lines, attempt

    def _wrap(self, paragraph: str, width: float, breaks: re.Pattern[str]) -> list[str]:
        lines: list[str] = []
        current = ""
        for piece in (p for p in breaks.split(paragraph) if p):
            candidate = current + piece
            if current and self.get_string_width(self.clean(candidate.rstrip())) > width:
                lines.append(current.rstrip())
                current = piece.lstrip()
            else:
                current = candidate
        lines.append(current.rstrip())
        return lines

    def stamp(self, mark: Mark) -> None:
        """The mark's word across every page, over the form (a revoked certificate must not pass for a valid
        one, even as a photocopy of one page)."""
        colour = _MARK_COLOURS.get(mark.tone, _MARK_COLOURS["bad"])
        word = self.clean(mark.word)
        self.font(10, bold=True)
        size = min(96.0, 10 * 195 / max(self.get_string_width(word), 1))
        for page in range(1, self.pages_count + 1):
            self.page = page
            with self.local_context(fill_opacity=0.22, text_color=colour):
                self.font(size, bold=True)
                width = self.get_string_width(word)
                with self.rotation(35, x=PAGE_W / 2, y=PAGE_H / 2):
                    self.text(PAGE_W / 2 - width / 2, PAGE_H / 2 + size * 0.35 / 2.83, word)

    def banner(self, mark: Mark, y: float) -> float:
        """The mark's word and facts in a framed band above the form; returns the y below it."""
        colour = _MARK_COLOURS.get(mark.tone, _MARK_COLOURS["bad"])
        lines = mark.lines
        height = 9.5 + sum(self.text_height(INNER - 4, line, 8.5) for line in lines) + 1.5
        with self.local_context(draw_color=colour, text_color=colour, line_width=0.8):
            self.rect(MARGIN, y, INNER, height)
            self.font(14, bold=True)
            self.set_xy(MARGIN + 2, y + 1.5)
            self.cell(INNER - 4, 6, self.clean(mark.word), align="L")
            self.font(8.5)
            at = y + 8.5
            for line in lines:
                self.set_xy(MARGIN + 2, at)
                self.multi_cell(
                    INNER - 4, LINE, self.clean(line), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT
                )
                at = self.get_y()
        return y + height + 1.5

    def box_title(self, x: float, y: float, width: float, number: int, title: str) -> float:
        self.font(6.5)
        self.set_xy(x, y)
        label = f"{number}. {title}" if title else f"{number}."
        self.multi_cell(width, 3.0, self.clean(label), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y() + 0.8

    def checkbox(self, x: float, y: float, label: str, checked: bool, width: float) -> float:
        self.rect(x, y + 0.3, 3, 3)
        if checked:
            self.font(8, bold=True)
            self.set_xy(x, y)
            self.cell(3, 3.6, "X", align="C")
        self.font(7.5)
        self.set_xy(x + 4.5, y)
        self.multi_cell(width - 4.5, LINE, self.clean(label), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return max(self.get_y(), y + 4.2) + 0.6


def _box_height(form: _Form, box: Box, width: float) -> float:
    height = form.text_height(width - 2, f"{box.number}. {box.title}", 6.5) + 1.5
    height += sum(form.text_height(width - 2, line, 8) for line in box.lines)
    height += 4.8 * len(box.checks or ())
    return height + 2


def _draw_box(form: _Form, box: Box, x: float, y: float, width: float, height: float) -> None:
    form.rect(x, y, width, height)
    inner_y = form.box_title(x + 1, y + 1, width - 2, box.number, box.title)
    for check in box.checks or ():
        inner_y = form.checkbox(x + 2, inner_y, check.label, check.checked, width - 4)
    form.write_lines(x + 1, inner_y + 0.5, width - 2, box.lines)


def _header(form: _Form, form_d: FormDLayout, x: float, y: float, height: float) -> None:
    form.rect(x, y, HALF, height)
    form.font(8)
    form.set_xy(x + 1, y + 1)
    form.cell(HALF - 2, 4, form.clean(f"Reference No. {form_d.reference}"))
    title_y = y + 8
    for i, line in enumerate(form_d.title):
        form.font(11 if line == "FORM D" else 8, bold=i != 3)
        form.set_xy(x, title_y)
        form.cell(HALF, 4.6, form.clean(line), align="C")
        title_y += 4.6
    form.font(8)
    form.set_xy(x, title_y + 2)
    form.cell(HALF, 4, form.clean(f"Issued in {form_d.issued_in}"), align="C")
    form.font(6.5)
    form.set_xy(x, title_y + 6)
    form.cell(HALF, 3, "(Country)", align="C")


def _items(form: _Form, items: ItemTable, y: float, bottom: float) -> float:
    def header(at: float) -> float:
        heights = [
            form.text_height(w - 1, f"{c.number}. {c.title}", 6.5)
            for w, c in zip(ITEM_WIDTHS, items.columns, strict=True)
        ]
        row_h = max(heights) + 2
        x = MARGIN
        for width, column in zip(ITEM_WIDTHS, items.columns, strict=True):
            form.rect(x, at, width, row_h)
            form.box_title(x + 0.5, at + 0.8, width - 1, column.number, column.title)
            x += width
        return at + row_h

    y = header(y)
    for row in items.rows:
        cells = [form.cell_lines(w - 1.5, cell) for w, cell in zip(ITEM_WIDTHS, row, strict=True)]
        row_h = max(len(lines) for lines, _ in cells) * LINE + 3
        if y + row_h > bottom:
            form.add_page()
            y = header(MARGIN)
        x = MARGIN
        for width, (lines, size) in zip(ITEM_WIDTHS, cells, strict=True):
            form.rect(x, y, width, row_h)
            form.write_lines(x + 0.75, y + 1.5, width - 1.5, lines, size)
            x += width
        y += row_h
    return y


def render_pdf(form_d: FormDLayout, footer: str) -> bytes:
    """The PDF bytes of a Form D layout; ``footer`` says where and when it was printed, and the state."""
    form = _Form(f"Form D {form_d.reference}. {footer}")
    form.add_page()
    boxes = {box.number: box for box in form_d.boxes}
    mark = form_d.mark
    y = form.banner(mark, MARGIN) if mark else MARGIN
    top_h = max(_box_height(form, boxes[1], HALF) + _box_height(form, boxes[2], HALF), 62.0)
    first_h = max(_box_height(form, boxes[1], HALF), top_h / 2)
    _draw_box(form, boxes[1], MARGIN, y, HALF, first_h)
    _draw_box(form, boxes[2], MARGIN, y + first_h, HALF, top_h - first_h)
    _header(form, form_d, MARGIN + HALF, y, top_h)
    y += top_h
    row_h = max(_box_height(form, boxes[3], HALF), _box_height(form, boxes[4], HALF), 30.0)
    _draw_box(form, boxes[3], MARGIN, y, HALF, row_h)
    _draw_box(form, boxes[4], MARGIN + HALF, y, HALF, row_h)
    y += row_h
    bottom_h = max(_box_height(form, boxes[11], HALF), _box_height(form, boxes[12], HALF), 40.0)
    last_h = max(_box_height(form, boxes[13], INNER / 2), 16.0)
    y = _items(form, form_d.items, y, PAGE_H - MARGIN - bottom_h - last_h - 9)
    filled_to = PAGE_H - MARGIN - bottom_h - last_h - 9
    if y < filled_to:  # the item columns run down to box 11, as on the paper form
        x = MARGIN
        for width in ITEM_WIDTHS:
            form.rect(x, y, width, filled_to - y)
            x += width
    y = max(y, filled_to)
    _draw_box(form, boxes[11], MARGIN, y, HALF, bottom_h)
    _draw_box(form, boxes[12], MARGIN + HALF, y, HALF, bottom_h)
    y += bottom_h
    _draw_box13(form, boxes[13], y, last_h)
    if mark:
        form.stamp(mark)
    return bytes(form.output())


def _draw_box13(form: _Form, box: Box, y: float, height: float) -> None:
    """Box 13's seven boxes in two columns, as on the paper form, and the details they call for."""
    form.rect(MARGIN, y, INNER, height)
    form.box_title(MARGIN + 1, y + 1, 10, 13, "")
    checks = box.checks or ()
    half = (len(checks) + 1) // 2
    for column, group in enumerate((checks[:half], checks[half:])):
        at = y + 1.2
        for check in group:
            at = form.checkbox(MARGIN + 8 + column * 48, at, check.label, check.checked, 46)
    form.write_lines(MARGIN + 106, y + 1.2, INNER - 107, box.lines)
