"""The guide window: contents, search within the guide, back/forward, the page (a QTextBrowser).

Offline HTML from ``resources/guide`` (no web engine, no network); ``shortcuts.html`` gets its table
from the program's real actions when shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollBar,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.ui.guide.content import guide_dir, search
from adoption_desktop.ui.guide.topics import TITLES, TOPICS
from adoption_desktop.ui.list_keys import SearchKeys

_FILE_ROLE = Qt.ItemDataRole.UserRole
#: the width the pages give their pictures (``<img … width="760">``), narrowed to fit the window
PICTURE_WIDTH = 760
#: the page's look: plain, readable, the system's colours (QTextDocument's CSS subset)
STYLE = """
body { font-size: 10pt; }
h1 { font-size: 15pt; margin-bottom: 6px; }
h2 { font-size: 12.5pt; margin-top: 14px; }
h3 { font-size: 11pt; margin-top: 10px; }
p, li { margin-top: 3px; margin-bottom: 3px; }
td, th { padding: 3px 6px; }
th { text-align: left; }
kbd { font-weight: bold; }
.note { margin-left: 12px; }
.shot { margin-top: 6px; margin-bottom: 4px; }
.caption { font-style: italic; }
"""


class GuideBrowser(QTextBrowser):
    """A QTextBrowser whose generated pages (``shortcuts.html``) are filled in when loaded."""

    def __init__(self, generated: dict[str, Callable[[str], str]] | None = None) -> None:
        super().__init__()
        self.generated = generated or {}
        self.setOpenExternalLinks(False)
        self.setOpenLinks(True)
        self.document().setDefaultStyleSheet(STYLE)
        self.setSearchPaths([str(guide_dir())])

    def picture_width(self) -> int:
        """Pictures are drawn as wide as the page allows (at most 760 pixels), never wider."""
        return max(320, min(PICTURE_WIDTH, self.viewport().width() - 36))

    def loadResource(self, type_: int, name: QUrl | str) -> Any:  # noqa: N802
        result = super().loadResource(type_, name)
        if type_ != QTextDocument.ResourceType.HtmlResource.value or result is None:
            return result
        url = QUrl(name)
        if url.fileName().endswith(".png"):  # a picture's link: the picture at full size
            return (f"<p>The picture at full size (<b>Back</b> or <kbd>Alt+Left</kbd> returns to the page).</p>"
                    f'<p><img src="{url.fileName()}"></p>')
        text = bytes(result).decode("utf-8") if not isinstance(result, str) else result
        fill = self.generated.get(QUrl(name).fileName())
        if fill is not None:
            text = fill(text)
        self._drawn_width = self.picture_width()
        return text.replace(f'width="{PICTURE_WIDTH}"', f'width="{self._drawn_width}"')

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if abs(self.picture_width() - getattr(self, "_drawn_width", self.picture_width())) > 24:
            bar = self.verticalScrollBar()
            share = bar.value() / bar.maximum() if bar.maximum() else 0.0
            self.reload()  # the pictures follow the new width; the reader stays where they were
            bar.setValue(round(share * bar.maximum()))


class GuideWindow(QWidget):
    """Help → User guide (F1 opens it at the page for where you are)."""

    def __init__(self, parent: QWidget | None = None,
                 generated: dict[str, Callable[[str], str]] | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("guide_window")
        self.setWindowTitle("Adoption Desktop — User guide")
        self.setAccessibleName("User guide")
        self.resize(1140, 700)
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.back_button = QPushButton("◀ &Back")
        self.back_button.setAccessibleName("Back")
        self.back_button.setToolTip("The page you were on before (Alt+Left)")
        self.forward_button = QPushButton("&Forward ▶")
        self.forward_button.setAccessibleName("Forward")
        self.forward_button.setToolTip("Forward again (Alt+Right)")
        self.home_button = QPushButton("&Contents")
        self.home_button.setAccessibleName("Contents: the guide's first page")
        self.search_box = QLineEdit()
        self.search_box.setObjectName("guide_search")
        self.search_box.setPlaceholderText("Search the guide (Ctrl+F)")
        self.search_box.setAccessibleName("Search the guide")
        self.search_box.setAccessibleDescription("Type words; the pages that hold all of them are listed. "
                                                 "Enter opens the first; Down moves into the list.")
        self.search_box.setClearButtonEnabled(True)
        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search_box)
        for button in (self.back_button, self.forward_button, self.home_button):
            bar.addWidget(button)
        bar.addSpacing(16)
        bar.addWidget(search_label)
        bar.addWidget(self.search_box, 1)
        outer.addLayout(bar)

        split = QSplitter()
        self.side = QStackedWidget()
        self.contents = QTreeWidget()
        self.contents.setObjectName("guide_contents")
        self.contents.setHeaderHidden(True)
        self.contents.setAccessibleName("Contents")
        self.contents.setAccessibleDescription("Every page of the guide by area; Enter opens one.")
        sections: dict[str, QTreeWidgetItem] = {}
        for topic in TOPICS:
            head = sections.get(topic.section)
            if head is None:
                head = sections[topic.section] = QTreeWidgetItem([topic.section])
                head.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.contents.addTopLevelItem(head)
            item = QTreeWidgetItem([topic.title])
            item.setData(0, _FILE_ROLE, topic.file)
            head.addChild(item)
        self.contents.expandAll()
        self.results = QListWidget()
        self.results.setObjectName("guide_results")
        self.results.setAccessibleName("Search results")
        self.results.setAccessibleDescription("Guide pages holding every word searched for; Enter opens one.")
        self.results.setWordWrap(True)
        self.results.setSpacing(3)
        self.side.addWidget(self.contents)
        self.side.addWidget(self.results)
        self.browser = GuideBrowser(generated)
        self.browser.setObjectName("guide_page")
        self.browser.setAccessibleName("Guide page")
        self.browser.setAccessibleDescription("The page's text; Tab moves through its links, Enter follows one.")
        split.addWidget(self.side)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 800])
        outer.addWidget(split, 1)

        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.home_button.clicked.connect(lambda: self.open_topic("index.html"))
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.browser.sourceChanged.connect(self._source_changed)
        self.contents.itemActivated.connect(self._open_item)
        self.contents.itemClicked.connect(self._open_item)
        self.results.itemActivated.connect(self._open_result)
        self.results.itemClicked.connect(self._open_result)
        self.search_box.textChanged.connect(self._search)
        self.search_box.returnPressed.connect(self._open_first_result)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        for keys, slot in ((QKeySequence.StandardKey.Back, self.browser.backward),
                           (QKeySequence.StandardKey.Forward, self.browser.forward),
                           (QKeySequence.StandardKey.Find, self._focus_search),
                           (QKeySequence("Esc"), self.close)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        # Down (or Page Down) moves into the list shown beside the box: the results, else the contents
        self.search_keys = SearchKeys(
            self.search_box, lambda: self.results if self.side.currentWidget() is self.results else self.contents)
        from adoption_desktop.ui.accessibility import name_everything

        for clear in self.search_box.findChildren(QToolButton):
            clear.setAccessibleName("Clear the search")
        for scroll in self.findChildren(QScrollBar):
            scroll.setAccessibleName("Scroll the contents" if self.side.isAncestorOf(scroll) else "Scroll the page")
        name_everything(self)

    # --- opening pages -------------------------------------------------------------------------
    def open_topic(self, topic: str) -> None:
        """Show ``topic`` ("file.html" or "file.html#anchor"), adding it to the back/forward history."""
        file, _, anchor = topic.partition("#")
        if not (guide_dir() / file).exists():
            file, anchor = "index.html", ""
        url = QUrl.fromLocalFile(str(guide_dir() / file))
        if anchor:
            url.setFragment(anchor)
        self.browser.setSource(url)
        if anchor:
            self.browser.scrollToAnchor(anchor)

    @property
    def current_topic(self) -> str:
        url = self.browser.source()
        return url.fileName() + (f"#{url.fragment()}" if url.fragment() else "")

    def _source_changed(self, url: QUrl) -> None:
        file = url.fileName()
        self.setWindowTitle(f"{TITLES.get(file, 'User guide')} — Adoption Desktop user guide")
        for i in range(self.contents.topLevelItemCount()):
            head = self.contents.topLevelItem(i)
            for j in range(head.childCount() if head is not None else 0):
                child = head.child(j) if head is not None else None
                if child is not None and child.data(0, _FILE_ROLE) == file:
                    self.contents.setCurrentItem(child)
                    return

    def _open_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        file = item.data(0, _FILE_ROLE)
        if file:
            self.open_topic(str(file))

    # --- search ---------------------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _search(self, text: str) -> None:
        if not text.strip():
            self.side.setCurrentWidget(self.contents)
            return
        self.results.clear()
        hits = search(text)
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}\n{hit.snippet}")
            item.setData(_FILE_ROLE, hit.file)
            item.setToolTip(hit.snippet)
            self.results.addItem(item)
        if not hits:
            empty = QListWidgetItem(f"No page of the guide holds all of: {text.strip()}")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(empty)
        else:
            self.results.setCurrentRow(0)
        self.side.setCurrentWidget(self.results)

    def _open_result(self, item: QListWidgetItem) -> None:
        file = item.data(_FILE_ROLE)
        if not file:
            return
        self.open_topic(str(file))
        words = self.search_box.text().split()
        if words:  # the first place the word is on the page, selected
            self.browser.moveCursor(self.browser.textCursor().MoveOperation.Start)
            self.browser.find(words[0])

    def _open_first_result(self) -> None:
        item = self.results.item(0)
        if item is not None and self.side.currentWidget() is self.results:
            self._open_result(item)
