"""Letters drawn straight onto a reportlab canvas: the fast path for batches of hundreds.

Platypus (paragraph parsing, flowable wrapping, frame bookkeeping) cost ~15 ms a letter; a letter is a
simple, fixed layout, so it is laid out here with measured line breaks and drawn with text objects, at
close to the cost of a bare canvas. The layout is the one ``core.documents.pdf`` always had: letterhead
(agency name left, address right, a rule), the recipient in the window position, reference and date,
subject, salutation, paragraphs and bullet lists, an optional two-column table, and the closing with the
signature.

Page-break rules (a letter that runs over a page): a paragraph never leaves a single line at the foot
or the head of a page, and one longer than the room left is split over as many pages as it needs; a table
row is split only when it is taller than the room left (a long correction reason), cell by cell; blocks
kept together that fit no page (a short list with a very long first item) are laid out one by one; the closing, the signature and the signatory's name
and title stay together and take the last lines of the preceding paragraph (or the table's last row) with
them, so a signature is never alone at the top of a page; the other rows of a table flow onto the next
page like lines, its first row never alone at the foot of one — unless the letter keeps its table together
(``keep_table_together``: a decision's summary table), when the whole table goes with the closing onto the
next page rather than be split (laid out row by row only if table and closing fit no page).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from adoption_desktop.core.documents.pdf import Letterhead

PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 20 * mm, 20 * mm, 18 * mm, 20 * mm
WIDTH = PAGE_W - LEFT - RIGHT
BODY_SIZE, BODY_LEADING, PARA_SPACE = 10.5, 14.0, 7.0
RULE_COLOUR = colors.HexColor("#2F5D7C")
BULLET_INDENT, TEXT_INDENT = 12.0, 24.0
CELL_PAD_X, CELL_PAD_Y = 6.0, 3.0


@dataclass
class _Line:
    """One line to draw: text at x (relative to the left margin), in a font, ``leading`` high."""

    text: str
    x: float = 0.0
    font: str = ""
    size: float = BODY_SIZE
    leading: float = BODY_LEADING
    align_right: float | None = None  # draw right-aligned to this x instead
    bullet: bool = False  # a bullet before the line (the first line of a list item)


@dataclass
class _Block:
    """Lines kept together as a unit of page breaking, with space before and after."""

    lines: list[_Line]
    space_before: float = 0.0
    space_after: float = PARA_SPACE
    keep_with_next: bool = False
    table_row: tuple[list[list[_Line]], list[float]] | None = None  # cells and column widths

    @property
    def height(self) -> float:
        if self.table_row is not None:
            cells, _ = self.table_row
            return max(sum(line.leading for line in cell) for cell in cells) + 2 * CELL_PAD_Y
        return sum(line.leading for line in self.lines)


class LetterCanvas:
    """Draws letters one after another into one PDF; each letter starts on a new page."""

    def __init__(self, path: Path, *, fonts: tuple[str, str, str], footer: str, title: str, author: str,
                 data_protection: str = "", logo_png: bytes | None = None) -> None:
        self.font, self.bold, self.italic = fonts
        self.footer_text = footer
        self.data_protection = data_protection
        self.logo = _logo_reader(logo_png)
        self.path = Path(path)
        self.canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor(author)
        self.page = 0
        self.y = 0.0
        self._started = False
        #: the letter being drawn: its reference (heads its later pages) and its number in the batch
        self.reference = ""
        self._letters = 0
        #: the letterhead's lines, laid out for the first letter and reused (key, name, address, height)
        self.head_lines: tuple[tuple[str, str, str], list[_Line], list[_Line], float] | None = None
        self._forms: dict[tuple[object, ...], str] = {}
        self._splits: dict[tuple[str, str, float, float], tuple[str, ...]] = {}
        self._widths: dict[tuple[str, float], dict[str, float]] = {}

    # --- pages -------------------------------------------------------------------------------
    def _form(self, key: tuple[object, ...], draw: Callable[[], object]) -> None:
        """Place the drawing that ``draw()`` makes, the same on every page (the letterhead, the footer's
        fixed lines): drawn once into a form XObject the first time it is met, then placed by reference
        (less to draw per page, and a smaller file)."""
        c = self.canvas
        name = self._forms.get(key)
        if name is None:
            name = self._forms[key] = f"LetterForm{len(self._forms)}"
            c.beginForm(name)
            draw()
            c.endForm()
        c.doForm(name)

    def _footer(self, *, last: bool = True) -> None:
        """The page's footer. A one-page letter reads "Page 1"; a longer one "Page 1 of 2", "Page 2 of 2"
        (``last``: the letter ends on this page; an earlier page's total is a form filled in when it does)."""
        c = self.canvas

        def fixed() -> None:
            c.setFont(self.font, 7.5)
            c.setFillColor(colors.grey)
            if self.data_protection:
                c.drawString(LEFT, 13.5 * mm, self.data_protection[:160])
            c.drawString(LEFT, 10 * mm, self.footer_text)

        self._form(("footer", self.font, self.data_protection, self.footer_text), fixed)
        c.setFont(self.font, 7.5)
        c.setFillColor(colors.grey)
        if last and self.page == 1:
            c.drawRightString(PAGE_W - RIGHT, 10 * mm, f"Page {self.page}")
        else:
            x = PAGE_W - RIGHT - stringWidth("Page 999 of 999", self.font, 7.5)
            prefix = f"Page {self.page} of "
            if last:
                c.drawString(x, 10 * mm, f"{prefix}{self.page}")
            else:  # the total is known when the letter ends: placed now, drawn then
                c.drawString(x, 10 * mm, prefix)
                c.saveState()
                c.translate(x + stringWidth(prefix, self.font, 7.5), 10 * mm)
                c.doForm(f"LetterPages{self._letters}")
                c.restoreState()
        c.setFillColor(colors.black)

    def _close_letter(self) -> None:
        """The letter on the page just finished ends there: the footers of its earlier pages get its total."""
        if self.page > 1:
            c = self.canvas
            c.beginForm(f"LetterPages{self._letters}")
            c.setFont(self.font, 7.5)
            c.setFillColor(colors.grey)
            c.drawString(0, 0, str(self.page))
            c.endForm()

    def new_page(self, *, new_letter: bool = False) -> None:
        """The next page; ``new_letter``: the first page of the next letter, numbered 1 (the pages of a
        batch are numbered within each letter: its recipient holds only theirs)."""
        if self._started:
            self._footer(last=new_letter)
            if new_letter:
                self._close_letter()
            self.canvas.showPage()
        self._started = True
        if new_letter:
            self._letters += 1
        self.page = 1 if new_letter else self.page + 1
        self.y = PAGE_H - TOP
        if self.page > 1 and self.reference:  # a page after the first says whose letter it continues
            c = self.canvas
            c.setFont(self.font, 8)
            c.setFillColor(colors.grey)
            c.drawString(LEFT, PAGE_H - 11 * mm, f"Our reference: {self.reference} (continued)")  # in the margin
            c.setFillColor(colors.black)

    def finish(self) -> bytes:
        """The whole PDF, made in memory (compressed, cross-referenced): nothing is written yet."""
        if self._started:
            self._footer()
            self._close_letter()
            self.canvas.showPage()
            self._started = False
        return bytes(self.canvas.getpdfdata())

    def close(self) -> None:
        """Write the PDF to the path given when the canvas was made."""
        self.path.write_bytes(self.finish())

    # --- measuring ---------------------------------------------------------------------------
    def wrap(self, text: str, width: float, *, font: str | None = None, size: float = BODY_SIZE,
             leading: float = BODY_LEADING, x: float = 0.0) -> list[_Line]:
        font = font or self.font
        lines: list[_Line] = []
        for raw in text.split("\n"):
            parts = self._split(raw, font, size, width) if raw.strip() else ("",)
            lines.extend(_Line(p, x, font, size, leading) for p in parts)
        return lines

    def _split(self, raw: str, font: str, size: float, width: float) -> tuple[str, ...]:
        """``reportlab.lib.utils.simpleSplit(raw, font, size, width)`` (the same breaks, the same sums in
        the same order), remembered per text: the letters of a batch share their template's paragraphs,
        and each word is measured once per font (measuring every word of every letter was most of the
        layout's time).

        One difference: a word wider than ``width`` (simpleSplit places it whole, over the cell border or
        the margin: a long hyphenated name in a table's narrow column) starts a line and is broken after
        its hyphens, and inside a part only if that part alone is still too wide (:func:`break_word`)."""
        key = (raw, font, size, width)
        hit = self._splits.get(key)
        if hit is not None:
            return hit
        widths = self._widths.get((font, size))
        if widths is None:
            widths = self._widths[(font, size)] = {}
        ws = widths.get(" ")
        if ws is None:
            ws = widths[" "] = stringWidth(" ", font, size)
        lines: list[str] = []
        words: list[str] = []
        w = -ws
        for t in raw.split():
            lt = widths.get(t)
            if lt is None:
                lt = widths[t] = stringWidth(t, font, size)
            if lt > width:  # wider than a whole line: broken, never drawn past the border
                if words:
                    lines.append(" ".join(words))
                pieces = break_word(t, width, lambda part: stringWidth(part, font, size))
                lines.extend(pieces[:-1])
                words = [pieces[-1]]
                w = stringWidth(pieces[-1], font, size)
            elif w + ws + lt <= width or not words:
                words.append(t)
                w = w + ws + lt
            else:
                lines.append(" ".join(words))
                words = [t]
                w = lt
        if words:
            lines.append(" ".join(words))
        out = self._splits[key] = tuple(lines)
        return out

    # --- drawing -----------------------------------------------------------------------------
    def _draw_lines(self, lines: list[_Line], top: float) -> float:
        """Draw ``lines`` downwards from ``top`` in one text object (one BT…ET, a font change only
        when the font changes); returns the new top."""
        c = self.canvas
        text = c.beginText()
        font: tuple[str, float] | None = None
        y = top
        for line in lines:
            if isinstance(line, _HeadLine):
                c.drawText(text)
                self._form(("head", y, line.leading, *(tuple((ln.text, ln.x, ln.font, ln.size, ln.leading,
                                                              ln.align_right) for ln in lines)
                                                       for lines in (line.name, line.address))),
                           functools.partial(self._draw_head, line, y))
                y -= line.leading
                text, font = c.beginText(), None
                continue
            y -= line.leading
            if not line.text:
                continue
            if font != (line.font, line.size):
                font = (line.font, line.size)
                text.setFont(line.font, line.size)
            baseline = y + (line.leading - line.size) / 2 + 0.2 * line.size
            if line.bullet:
                text.setTextOrigin(LEFT + BULLET_INDENT, baseline)
                text.textOut("•")
            x = LEFT + line.x
            if line.align_right is not None:
                x = LEFT + line.align_right - stringWidth(line.text, line.font, line.size)
            text.setTextOrigin(x, baseline)
            text.textOut(line.text)
        c.drawText(text)
        return y

    def _draw_head(self, line: _HeadLine, y: float) -> None:
        """The letterhead from ``y`` down: logo and agency name left, address right, a rule below."""
        c = self.canvas
        name_top = y
        if self.logo is not None:  # the logo left of the name, at most 18 mm high
            width, height = self.logo.getSize()
            h = min(18 * mm, height)
            w = width * h / height
            c.drawImage(self.logo, LEFT, y - h, width=w, height=h, mask="auto")
            self._draw_lines([_Line(ln.text, ln.x + w + 4, ln.font, ln.size, ln.leading)
                              for ln in line.name], name_top)
        else:
            self._draw_lines(line.name, name_top)
        self._draw_lines(line.address, y)
        y -= line.leading
        c.setStrokeColor(RULE_COLOUR)
        c.setLineWidth(0.6)
        c.line(LEFT, y, LEFT + WIDTH, y)
        c.setStrokeColor(colors.black)

    def _draw_row(self, block: _Block) -> None:
        assert block.table_row is not None
        cells, widths = block.table_row
        c = self.canvas
        height = block.height
        top = self.y
        x = LEFT
        c.setStrokeColor(colors.grey)
        c.setLineWidth(0.3)
        for cell, width in zip(cells, widths, strict=True):
            c.rect(x, top - height, width, height, stroke=1, fill=0)
            self._draw_lines([_Line(ln.text, x - LEFT + CELL_PAD_X, ln.font, ln.size, ln.leading) for ln in cell],
                             top - CELL_PAD_Y)
            x += width
        c.setStrokeColor(colors.black)
        self.y = top - height

    def _space_left(self) -> float:
        return self.y - BOTTOM

    def place(self, blocks: list[_Block]) -> None:
        """Lay out the blocks of one letter from the current position, breaking pages by the rules in
        the module's docstring."""
        i = 0
        while i < len(blocks):
            # a run of blocks that must stay together (keep_with_next chains)
            j = i
            while j < len(blocks) - 1 and blocks[j].keep_with_next:
                j += 1
            group = blocks[i:j + 1]
            need = sum(b.space_before + b.height for b in group) + sum(b.space_after for b in group[:-1])
            at_top = self.y >= PAGE_H - TOP - 1
            whole_page = PAGE_H - TOP - BOTTOM
            if need > self._space_left():
                last = group[-1]
                splittable = last.table_row is None and len(last.lines) >= 4
                lead = sum(b.space_before + b.height + b.space_after for b in group[:-1])
                if splittable and lead + 2 * last.lines[0].leading <= whole_page and (
                        (len(group) == 1 and not at_top) or need > whole_page):
                    # a paragraph (with what is kept with it) longer than the room left, or than a whole page:
                    # split over as many pages as it needs, never drawn past the foot of a page
                    if not at_top and lead + 2 * last.lines[0].leading > self._space_left():
                        self.new_page()
                    for block in group[:-1]:
                        self._draw_block(block)
                    self._split_paragraph(last)
                    i = j + 1
                    continue
                if need > whole_page:
                    # kept together they fit no page (a long first item of a short list, a tall table row):
                    # each is laid out on its own, split where it must be
                    for block in group:
                        self._place_one(block)
                    i = j + 1
                    continue
                if not at_top:
                    self.new_page()
            for block in group:
                self._draw_block(block)
            i = j + 1

    def _place_one(self, block: _Block) -> None:
        """One block from the current position: drawn here if it fits, else split over pages (a paragraph, a
        table row), else on the next page."""
        at_top = self.y >= PAGE_H - TOP - 1
        if (0.0 if at_top else block.space_before) + block.height <= self._space_left():
            self._draw_block(block)
        elif block.table_row is not None:
            self._split_row(block)
        elif len(block.lines) >= 4:
            self._split_paragraph(block)
        else:
            if not at_top:
                self.new_page()
            self._draw_block(block)

    def _draw_block(self, block: _Block) -> None:
        at_top = self.y >= PAGE_H - TOP - 1
        if not at_top:
            self.y -= block.space_before
        if block.table_row is not None:
            if block.height > self._space_left():
                self.new_page()
            self._draw_row(block)
        else:
            self.y = self._draw_lines(block.lines, self.y)
        self.y -= block.space_after

    def _split_row(self, block: _Block) -> None:
        """A table row taller than the room left (a long correction reason): each cell's lines that fit are
        drawn in a row on this page, the rest in a continued row on the next, over as many pages as needed."""
        assert block.table_row is not None
        cells, widths = block.table_row
        first = True
        while True:
            at_top = self.y >= PAGE_H - TOP - 1
            before = block.space_before if first and not at_top else 0.0
            rest = _Block([], block.space_before if first else 0.0, block.space_after, table_row=(cells, widths))
            if before + rest.height <= self._space_left():
                self._draw_block(rest)
                return
            room = self._space_left() - before - 2 * CELL_PAD_Y
            parts: list[list[_Line]] = []
            for cell in cells:
                taken, height = 0, 0.0
                while taken < len(cell) and height + cell[taken].leading <= room:
                    height += cell[taken].leading
                    taken += 1
                parts.append(cell[:taken])
            if any(cell and not part for cell, part in zip(cells, parts, strict=True)):
                if not at_top:
                    self.new_page()  # not even a line of a cell fits here
                    continue
                parts = [cell[:max(1, len(part))] for cell, part in zip(cells, parts, strict=True)]  # always on
            self._draw_block(_Block([], block.space_before if first else 0.0, 0.0, table_row=(parts, widths)))
            cells = [cell[len(part):] for cell, part in zip(cells, parts, strict=True)]
            first = False
            self.new_page()

    def _split_paragraph(self, block: _Block) -> None:
        """A paragraph longer than the room left: as many lines as fit on this page (at least two), the rest
        on the next page, and so on over as many pages as it needs (a paragraph longer than a page once lost
        what did not fit on the second); never a single line at the foot or the head of a page."""
        lines, first = block.lines, True
        while True:
            at_top = self.y >= PAGE_H - TOP - 1
            before = block.space_before if first and not at_top else 0.0
            room = self._space_left() - before
            leading = lines[0].leading
            if sum(ln.leading for ln in lines) <= room:
                self._draw_block(_Block(lines, block.space_before if first else 0.0, block.space_after))
                return
            fit = min(int(room // leading), len(lines) - 2)
            if fit < 2:
                if not at_top:
                    self.new_page()
                    continue
                fit = max(1, min(int(room // leading), len(lines) - 1))  # a page holds at least this
            self._draw_block(_Block(lines[:fit], block.space_before if first else 0.0, 0.0))
            lines, first = lines[fit:], False
            self.new_page()


def letter_blocks(writer: LetterCanvas, *, agency_name: str, agency_address: str, recipient: Iterable[str],
                  reference: str, date_text: str, subject: str, salutation: str,
                  paragraphs: Iterable[str | tuple[str, ...]], extra: Iterable[tuple[str, str]],
                  closing: str, signatory: str, signatory_title: str, team_name: str = "",
                  contact_lines: Iterable[str] = (), keep_table_together: bool = False) -> list[_Block]:
    """The blocks of one letter (see :class:`LetterCanvas` for how they are placed)."""
    w = writer
    right = "\n".join([agency_address, *contact_lines])
    head_key = (agency_name, team_name, right)
    if w.head_lines is None or w.head_lines[0] != head_key:  # the same letterhead on every letter: laid out once
        name_width = 95 * mm - 12 - (22 * mm if w.logo is not None else 0)
        name_lines = w.wrap(agency_name, name_width, font=w.bold, size=14, leading=17)
        if team_name:
            name_lines += w.wrap(team_name, name_width, size=BODY_SIZE, leading=BODY_LEADING)
        address_lines = [_Line(ln.text, 0, w.font, BODY_SIZE, BODY_LEADING, align_right=WIDTH)
                         for ln in w.wrap(right, 75 * mm - 12)]
        head_height = max(sum(ln.leading for ln in name_lines), sum(ln.leading for ln in address_lines)) + 6
        w.head_lines = (head_key, name_lines, address_lines, head_height)
    _key, name_lines, address_lines, head_height = w.head_lines
    # letterhead: two columns side by side, a rule below the taller one
    blocks: list[_Block] = [_Block([_HeadLine(name_lines, address_lines, head_height)], 0.0, 10 * mm)]
    blocks.append(_Block(w.wrap("\n".join(recipient), WIDTH), 0.0, PARA_SPACE + 6 * mm))
    blocks.append(_Block(w.wrap(f"Our reference: {reference}", WIDTH), 0.0, PARA_SPACE))
    blocks.append(_Block(w.wrap(f"Date: {date_text}", WIDTH), 0.0, PARA_SPACE))
    if subject:
        blocks.append(_Block(w.wrap(subject, WIDTH, font=w.bold), 4.0, 9.0))
    if salutation:
        blocks.append(_Block(w.wrap(salutation, WIDTH), 0.0, PARA_SPACE, keep_with_next=True))
    body: list[_Block] = []
    for para in paragraphs:
        if isinstance(para, tuple):
            for k, item in enumerate(para):
                lines = w.wrap(item, WIDTH - TEXT_INDENT, x=TEXT_INDENT)
                lines[0].bullet = True
                body.append(_Block(lines, 0.0, PARA_SPACE if k == len(para) - 1 else 2.0,
                                   keep_with_next=k < len(para) - 1 and len(para) <= 3))
        else:
            body.append(_Block(w.wrap(para, WIDTH), 0.0, PARA_SPACE))
    blocks.extend(body)
    rows = list(extra)
    for k, (key, value) in enumerate(rows):
        cells = [w.wrap(key, 55 * mm - 2 * CELL_PAD_X), w.wrap(value, 115 * mm - 2 * CELL_PAD_X)]
        blocks.append(_Block([], 2 * mm if k == 0 else 0.0, 4 * mm if k == len(rows) - 1 else 0.0,
                             table_row=(cells, [55 * mm, 115 * mm])))
    closing_lines = [*w.wrap(closing, WIDTH), _Line("", leading=12 * mm + PARA_SPACE),
                     *w.wrap(signatory, WIDTH), _Line("", leading=PARA_SPACE), *w.wrap(signatory_title, WIDTH)]
    # the closing block takes the last lines of the paragraph (or the last table row) before it with it:
    # no lone signature at the top of a page
    if rows:
        # the rows flow like the paragraphs (a row is never split): the table may start on the page the
        # body ends on, the closing takes only its last row with it, and its first row is never left alone
        # at the foot of a page. (Keeping a whole small table with the closing moved it all, with the
        # signature, onto a page of its own and left the foot of the page before it empty.)
        table = blocks[-len(rows):]
        # a table read as one (``keep_table_together``) goes whole with the closing: never split over pages
        for block in (table if keep_table_together else (table[0], table[-1])):
            block.keep_with_next = True
    elif body:
        last = body[-1]
        if last.table_row is None and len(last.lines) > 3:
            keep = last.lines[-2:]
            last.lines = last.lines[:-2]
            last.space_after = 0.0
            blocks.insert(blocks.index(last) + 1, _Block(keep, 0.0, PARA_SPACE, keep_with_next=True))
        else:
            last.keep_with_next = True
    blocks.append(_Block(closing_lines, 0.0, 0.0))
    return blocks


_HYPHENS = "-\u2010"  # hyphen-minus and the hyphen: a line may end after either


def break_word(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``word`` (wider than ``width``) as pieces each at most ``width`` wide when measured: broken after its
    hyphens, as many parts to a piece as fit (the hyphen ends the piece, as in
    "Featherstonehaugh-" / "Cholmondeley-Montgomery"), and inside a part only where that part alone is
    wider than ``width`` (as many characters as fit; a single character wider than ``width`` stays whole,
    there being nothing smaller to draw). A hyphen never goes to a line of its own, nor starts one: a part
    broken inside so that only its closing hyphen would be left is broken a character earlier ("ab" /
    "c-"), and a word's leading hyphens stay with what follows them."""
    parts: list[str] = []
    start = 0
    for i, ch in enumerate(word):
        if ch in _HYPHENS and i + 1 < len(word) and word[i + 1] not in _HYPHENS and \
                word[start:i].strip(_HYPHENS):
            parts.append(word[start:i + 1])
            start = i + 1
    parts.append(word[start:])
    pieces: list[str] = []
    current = ""
    for part in parts:
        if measure(current + part) <= width:
            current += part
            continue
        if current:
            pieces.append(current)
            current = ""
        while measure(part) > width:  # the last resort: inside the part
            k = 1
            while k < len(part) and measure(part[:k + 1]) <= width:
                k += 1
            # "abc" / "-" becomes "ab" / "c-" (not when that leaves a hyphen alone in front: "-a-" stays)
            while part[k:] and not part[k:].strip(_HYPHENS) and part[:k - 1].strip(_HYPHENS):
                k -= 1
            pieces.append(part[:k])
            part = part[k:]
        current = part
    if current or not pieces:
        pieces.append(current)
    return pieces


class _HeadLine(_Line):
    """The letterhead: agency name (left) and address (right), with a rule below."""

    def __init__(self, name: list[_Line], address: list[_Line], height: float) -> None:
        super().__init__("", leading=height)
        self.name, self.address = name, address


def _logo_reader(png: bytes | None) -> ImageReader | None:
    if not png:
        return None
    import io

    return ImageReader(io.BytesIO(png))


def write_canvas_letters(path: Path, letters: Iterable[dict[str, object]], *, fonts: tuple[str, str, str],
                         head: Letterhead, title: str, progress: Callable[[int], None] | None = None,
                         cancelled: Callable[[], bool] | None = None,
                         before_save: Callable[[], object] | None = None) -> int:
    """Every letter (keyword arguments of :func:`letter_blocks`) into one PDF under the letterhead
    ``head``; returns the count. ``cancelled()`` is checked before each letter and raises
    ``RuntimeError('cancelled')``. The letters are drawn, and the PDF made, in memory; nothing is written
    to ``path`` until they all are and ``before_save()`` (if given) has returned (a headless export
    confirms its sign-in there: the PDF is made while the password and page checks finish beside it)."""
    writer = LetterCanvas(path, fonts=fonts, footer=head.footer, title=title, author=head.agency_name,
                          data_protection=head.data_protection, logo_png=head.logo_png)
    count = 0
    for fields in letters:
        if cancelled and cancelled():
            raise RuntimeError("cancelled")
        writer.new_page(new_letter=True)
        writer.reference = str(fields.get("reference") or "")
        writer.place(letter_blocks(writer, agency_name=head.agency_name, agency_address=head.agency_address,
                                   team_name=head.team_name, contact_lines=head.contact_lines,
                                   **fields))  # type: ignore[arg-type]
        count += 1
        if progress:
            progress(count)
    if cancelled and cancelled():
        raise RuntimeError("cancelled")
    data = writer.finish()  # the file's bytes made before the caller's last check, written after it
    if before_save is not None:
        before_save()
    Path(path).write_bytes(data)
    return count
