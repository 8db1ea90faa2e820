"""The page with every finding boxed; the coordinator adds and removes boxes, then exports the redacted
copy (boxes burned into the pixels, one flattened image a page).

Mouse: drag on the page to draw a box; click a box to select it; Delete removes the selected boxes.
Keyboard: N / P (or Tab-like Right / Left arrows) move the word cursor over the words the OCR read;
Space or Insert boxes the current word; Delete removes selected boxes; Page Down / Page Up change page;
+ and - zoom (the page opens as wide as the view).
"""

from __future__ import annotations

import io

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QMouseEvent, QPen, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.ocr import redaction_box
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import attachments, redaction
from adoption_desktop.letterbox.redaction import ExportedCopy, RedactionBox, RedactionPage
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.context import AppContext

BOX_BRUSH = QColor(0, 0, 0, 150)
CURSOR_PEN = QColor("#1565C0")


class PageView(QGraphicsView):
    """Draws a box with a mouse drag; keys are handled by the dialog."""

    def __init__(self, dialog: RedactionDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self._origin: QPointF | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        item = self.itemAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and not isinstance(item, QGraphicsRectItem):
            self._origin = self.mapToScene(event.position().toPoint())
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._origin is not None:
            end = self.mapToScene(event.position().toPoint())
            rect = QRectF(self._origin, end).normalized()
            self._origin = None
            if rect.width() >= 3 and rect.height() >= 3:
                self.dialog.add_box(RedactionBox(int(rect.left()), int(rect.top()), int(rect.right()),
                                                 int(rect.bottom())))
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not self.dialog.handle_key(event):
            super().keyPressEvent(event)


class RedactionDialog(QDialog):
    def __init__(self, ctx: AppContext, item_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.item_id = ctx, item_id
        self.setWindowTitle(f"Redacted copy — item {item_id}")
        self.pages: list[RedactionPage] = redaction.proposed_pages(ctx.db, ctx.principal, item_id)
        self.boxes: list[list[RedactionBox]] = [list(p.boxes) for p in self.pages]
        self.index = 0
        self.word_cursor = -1
        self.zoom = 1.0
        self.exported: ExportedCopy | None = None
        self._images: dict[int, list[object]] = {}
        self.page_choice = QComboBox()
        for p in self.pages:
            self.page_choice.addItem(f"{p.filename} — page {p.page_no}"
                                     + (" (not read reliably: check by eye)" if p.low_confidence else ""))
        self.page_choice.currentIndexChanged.connect(self.show_page)
        self.scene = QGraphicsScene(self)
        self.view = PageView(self)
        self.view.setScene(self.scene)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.export_button = QPushButton("&Export redacted PDF")
        self.export_button.clicked.connect(self.export)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        self.message = MessageLine("Drag to draw a box; click a box and press Delete to remove it; N/P move "
                              "between words and Space boxes the current word; + and - zoom.")
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        page_label = QLabel("&Page:")
        page_label.setBuddy(self.page_choice)
        top.addWidget(page_label)
        top.addWidget(self.page_choice, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.resize(900, 800)
        if not self.pages:
            self.message.setText("This item has no scanned pages read yet: attach a scan and read its text.")
            self.export_button.setEnabled(False)
        else:
            self.show_page(0)

    # --- drawing ----------------------------------------------------------------------------------
    def _image(self, page: RedactionPage) -> object:
        if page.attachment_id not in self._images:
            row, data = attachments.open_attachment(self.ctx.db, self.ctx.principal, page.attachment_id)
            self._images[page.attachment_id] = attachments.page_images(row, data)
        found = self._images[page.attachment_id]
        return found[page.page_no - 1] if 0 < page.page_no <= len(found) else None

    def show_page(self, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        if self.page_choice.currentIndex() != self.index:
            self.page_choice.setCurrentIndex(self.index)
        self.word_cursor = -1
        self.scene.clear()
        image = self._image(self.pages[self.index])
        if image is not None:
            buf = io.BytesIO()
            image.save(buf, format="PNG")  # type: ignore[attr-defined]
            pixmap = QPixmap()
            pixmap.loadFromData(buf.getvalue())
            self.scene.addPixmap(pixmap)
            self.scene.setSceneRect(QRectF(pixmap.rect()))
        self._draw_boxes()
        self.fit_width()

    def fit_width(self) -> None:
        """The page as wide as the view (text readable), scrolled to the top; + and - zoom."""
        rect = self.scene.sceneRect()
        if rect.width() <= 0:
            return
        self.zoom = max(0.05, (self.view.viewport().width() - 4) / rect.width())
        self._apply_zoom()
        self.view.verticalScrollBar().setValue(0)

    def _apply_zoom(self) -> None:
        self.view.resetTransform()
        self.view.scale(self.zoom, self.zoom)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_width()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.fit_width()

    def _draw_boxes(self) -> None:
        for item in list(self.scene.items()):
            if isinstance(item, QGraphicsRectItem):
                self.scene.removeItem(item)
        for n, b in enumerate(self.boxes[self.index]):
            rect = self.scene.addRect(QRectF(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0), QPen(Qt.GlobalColor.red),
                                      QBrush(BOX_BRUSH))
            rect.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemIsSelectable, True)
            rect.setData(0, n)
            rect.setToolTip(b.label)
        words = self.pages[self.index].words
        if 0 <= self.word_cursor < len(words):
            w = words[self.word_cursor]
            cursor = self.scene.addRect(QRectF(w[1] - 2, w[2] - 2, w[3] - w[1] + 4, w[4] - w[2] + 4),
                                        QPen(CURSOR_PEN, 3))
            cursor.setData(0, -1)
            self.view.ensureVisible(cursor)

    # --- editing ----------------------------------------------------------------------------------
    def current_boxes(self) -> list[RedactionBox]:
        return list(self.boxes[self.index])

    def add_box(self, box: RedactionBox) -> None:
        self.boxes[self.index].append(box.normalised())
        self._draw_boxes()
        self.message.setText(f"{plural(len(self.boxes[self.index]), 'box')} on this page.")

    def remove_boxes(self, indexes: list[int]) -> None:
        for n in sorted(set(indexes), reverse=True):
            if 0 <= n < len(self.boxes[self.index]):
                del self.boxes[self.index][n]
        self._draw_boxes()
        self.message.setText(f"{plural(len(self.boxes[self.index]), 'box')} on this page.")

    def remove_selected(self) -> None:
        chosen = [int(i.data(0)) for i in self.scene.selectedItems()
                  if isinstance(i, QGraphicsRectItem) and int(i.data(0)) >= 0]
        if chosen:
            self.remove_boxes(chosen)

    def move_word(self, step: int) -> None:
        words = self.pages[self.index].words
        if words:
            self.word_cursor = (self.word_cursor + step) % len(words)
            self._draw_boxes()
            self.message.setText(f"Word: {words[self.word_cursor][0]} (Space boxes it)")

    def box_current_word(self) -> None:
        words = self.pages[self.index].words
        if 0 <= self.word_cursor < len(words):
            w = words[self.word_cursor]  # the word's box spans its line's type, top to bottom
            page = self.scene.sceneRect()  # the page image (empty before one is shown: nothing to keep it in)
            width, height = (int(page.width()), int(page.height())) if not page.isEmpty() else (1 << 30, 1 << 30)
            self.add_box(RedactionBox(*redaction_box(w[1], w[2], w[3], w[4], width, height), "added by hand"))

    def handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_selected()
        elif key in (Qt.Key.Key_N, Qt.Key.Key_Right):
            self.move_word(1)
        elif key in (Qt.Key.Key_P, Qt.Key.Key_Left):
            self.move_word(-1)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Insert):
            self.box_current_word()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom *= 1.25
            self._apply_zoom()
        elif key == Qt.Key.Key_Minus:
            self.zoom /= 1.25
            self._apply_zoom()
        elif key == Qt.Key.Key_PageDown:
            self.show_page(self.index + 1)
        elif key == Qt.Key.Key_PageUp:
            self.show_page(self.index - 1)
        else:
            return False
        return True

    def export(self) -> None:
        pages = [RedactionPage(p.attachment_id, p.page_no, p.filename, tuple(b)) for p, b in
                 zip(self.pages, self.boxes, strict=True)]
        try:
            self.exported = redaction.export_redacted(self.ctx.db, self.ctx.principal, self.item_id, pages)
        except AppError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Redacted copy saved with the item: {self.exported.filename}, "
                             f"{self.exported.boxes} box(es) burned in (SHA-256 {self.exported.sha256[:16]}…).")
