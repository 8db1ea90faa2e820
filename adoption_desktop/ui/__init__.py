"""Qt shell: main window, navigation, shared widgets, base table models, task runner."""
