"""``python -m adoption_desktop``: the program (the window, or a headless command)."""

try:  # Ctrl+C while the program is still loading: one line, never a traceback (cli.main does the rest)
    from adoption_desktop.cli import main
except KeyboardInterrupt:
    import sys

    from adoption_desktop import EXIT_INTERRUPTED, INTERRUPTED_BEFORE_START

    print(INTERRUPTED_BEFORE_START, file=sys.stderr)
    raise SystemExit(EXIT_INTERRUPTED) from None

raise SystemExit(main())
