"""`python -m citydesk.server`: daphne with this package's tunings installed first."""

from citydesk.server.tuning import main

main()
