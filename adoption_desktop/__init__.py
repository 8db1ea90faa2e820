"""Adoption Desktop: case administration for English adoption agencies."""

import sys

__version__ = "0.1.0"

#: What the program says, with exit code 130 (the shells' code for Ctrl+C), when Ctrl+C stops it before a
#: command has started. Here rather than in ``cli``: the entry points print it when the interrupt comes
#: while ``adoption_desktop.cli`` itself is being imported.
INTERRUPTED_BEFORE_START = "adoption-desktop: interrupted; nothing was changed."
EXIT_INTERRUPTED = 130


def _interrupt_again(unraisable: "sys.UnraisableHookArgs") -> None:
    """Ctrl+C that Python could not raise where it came, and would only have printed.

    A Ctrl+C in the first milliseconds can land in a callback of Python's own import machinery (a module
    lock's weakref callback), where an exception cannot propagate: Python prints "Exception ignored …
    KeyboardInterrupt" and carries on as if no key had been pressed. The interrupt is sent again instead,
    so it is raised in the program's next lines, where the entry points and ``cli.main`` turn it into their
    one line and exit code 130. It is sent from another thread: sent from here, Python would raise it in
    this hook, where it would be lost the same way. Anything else goes to the hook that was there before."""
    if not issubclass(unraisable.exc_type, KeyboardInterrupt):
        _previous_unraisablehook(unraisable)
        return
    import _signal  # both already loaded by the interpreter: nothing imported inside the import machinery
    import _thread

    while True:
        try:
            _thread.start_new_thread(_signal.raise_signal, (_signal.SIGINT,))
            return
        except KeyboardInterrupt:  # it arrived while still here, where it would be lost: send it again
            continue
        except RuntimeError:  # no new thread (the interpreter is shutting down): nothing left to stop
            return


_previous_unraisablehook = sys.unraisablehook
sys.unraisablehook = _interrupt_again
