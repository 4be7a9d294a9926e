from tabguard.cli import main

raise SystemExit(main())
