from adoption_desktop.cli import main

raise SystemExit(main())
