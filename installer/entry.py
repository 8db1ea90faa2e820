"""Entry point of the frozen build (both the windowed and the console executable)."""

import sys

from adoption_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
