"""Loading what intake reads on first use, ahead of the first report: the district polygons
routing locates a report in, and the merge index of open incidents. A server calls `warm_up`
once at start, so the first report is as fast as the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from command.intake import candidates
from command.routing import jurisdictions


@dataclass(frozen=True)
class Warmed:
    districts: int
    open_incidents: int


def warm_up() -> Warmed:
    """Load this process's district index and merge index now (each takes a few hundred ms
    on first use). Touches the database: raises its DatabaseError when it is not migrated."""
    districts = jurisdictions.get_index()
    index = candidates.get_index()
    index.catch_up()
    return Warmed(districts=len(districts), open_incidents=len(index))
