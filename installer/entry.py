"""Entry point of the frozen build (both the windowed and the console executable)."""

import sys

if __name__ == "__main__":
    try:  # Ctrl+C while the program is still loading: one line, never a traceback (cli.main does the rest)
        from adoption_desktop.cli import main
    except KeyboardInterrupt:
        from adoption_desktop import EXIT_INTERRUPTED, INTERRUPTED_BEFORE_START

        print(INTERRUPTED_BEFORE_START, file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(main())
