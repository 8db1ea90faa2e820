"""Adoption Desktop: case administration for English adoption agencies."""

__version__ = "0.1.0"

#: What the program says, with exit code 130 (the shells' code for Ctrl+C), when Ctrl+C stops it before a
#: command has started. Here rather than in ``cli``: the entry points print it when the interrupt comes
#: while ``adoption_desktop.cli`` itself is being imported.
INTERRUPTED_BEFORE_START = "adoption-desktop: interrupted; nothing was changed."
EXIT_INTERRUPTED = 130
