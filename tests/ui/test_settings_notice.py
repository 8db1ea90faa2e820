"""A damaged per-user settings file: the window reads it before the log is open and before anyone has signed
in; the notice (which preferences went back to their defaults, where the damaged copy is) reaches the status
bar once the person is signed in, and a later one found on the automatic backup's thread reaches it too."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from adoption_desktop.core.config import (
    LOCAL_PREFERENCES,
    LocalConfig,
    app_paths,
    damaged_names,
    take_notices,
)
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database


def test_the_window_says_once_that_the_damaged_settings_were_kept_aside(
        db: Database, admin: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
        settings_notices_cleared: None) -> None:
    from adoption_desktop import app
    from adoption_desktop.ui import guide
    from adoption_desktop.ui.main_window import MainWindow

    path = app_paths().ensure().settings_file
    path.write_bytes(b"\x00" * 512)  # a power cut left it full of zeros: no preference can be read from it
    monkeypatch.setattr(app, "choose_database", lambda *_a, **_k: db)
    monkeypatch.setattr(app, "sign_in", lambda *_a, **_k: admin)
    monkeypatch.setattr(app, "audit_alert", lambda *_a, **_k: None)
    monkeypatch.setattr(guide, "offer_first_day_tour", lambda *_a, **_k: None)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        [aside] = damaged_names(path)
        assert window.statusBar().currentMessage() == ""  # nobody signed in yet: not said to the sign-in screen
        window.resize(1366, 768)
        assert app.finish_start_up(window, None) is db
        status = window.statusBar()
        said = status.currentMessage()
        assert "settings file was damaged" in said and LOCAL_PREFERENCES["last_database"] in said
        # every preference went back: too long for the status bar, which cut it off under the database's name
        # and lost the list; it fits beside it now, the whole of it in Help → About
        room = status.width() - window.db_label.sizeHint().width()
        assert status.fontMetrics().horizontalAdvance(said) < room
        assert said.endswith("(all of it in Help → About)")
        about = window.about_text()
        assert aside.name in about
        assert all(words in about for words in LOCAL_PREFERENCES.values())
        assert take_notices() == []  # said once: nothing left for anyone else

        # found later on another thread (the automatic backup writing its time): shown by the window's
        window.statusBar().clearMessage()
        path.write_text("not JSON at all", encoding="utf-8")
        worker = threading.Thread(target=lambda: LocalConfig(path).set("last_scheduled_backup", "x"))
        worker.start()
        worker.join(30)
        second = next(p for p in damaged_names(path) if p != aside)
        qtbot.waitUntil(lambda: "settings file was damaged" in window.statusBar().currentMessage(), timeout=5000)
        assert second.name in window.about_text() and aside.name in window.about_text()
    finally:
        window.close()


def test_the_status_bar_cuts_the_notice_after_a_whole_word(
        db: Database, admin: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
        settings_notices_cleared: None) -> None:
    """At 1366 pixels the notice was cut mid-word ("… the Save folders, the fi… (all of it in Help → About)"):
    it now ends on a whole phrase, or at least a whole word, before the "…"."""
    from adoption_desktop import app
    from adoption_desktop.ui import guide
    from adoption_desktop.ui.main_window import MainWindow

    path = app_paths().ensure().settings_file
    path.write_bytes(b"\x00" * 512)
    monkeypatch.setattr(app, "choose_database", lambda *_a, **_k: db)
    monkeypatch.setattr(app, "sign_in", lambda *_a, **_k: admin)
    monkeypatch.setattr(app, "audit_alert", lambda *_a, **_k: None)
    monkeypatch.setattr(guide, "offer_first_day_tour", lambda *_a, **_k: None)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        cut_words: list[str] = []
        for width in (1366, 1100, 910):  # 100 %, 125 % and 150 % of a 1366-pixel screen
            window.resize(width, 700)
            if not window.settings_notices:
                assert app.finish_start_up(window, None) is db
            else:
                window._say_settings_notice(window.settings_notices.pop())
            said = window.statusBar().currentMessage()
            whole = window.settings_notices[-1]
            assert said.endswith("… (all of it in Help → About)"), said
            head = said.removesuffix("… (all of it in Help → About)")
            assert whole.startswith(head)
            after = whole[len(head):]
            if not (after[:1].isspace() or after[:1] in {",", ";", ":", "."}):
                cut_words.append(f"{width}: {head[-20:]}|{after[:20]}")
        assert cut_words == []
    finally:
        window.close()
