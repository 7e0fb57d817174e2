"""`python -m dermfhir` runs the command line."""

from dermfhir.cli.main import main

raise SystemExit(main())
