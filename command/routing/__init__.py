"""Routing: a point to its district on real polygons (`jurisdictions`), then (district,
category) to the responsible unit (`units`), and the deadline it gets (`sla`).
"""

from command.routing.units import Route, districts, route, unit_for

__all__ = ["Route", "districts", "route", "unit_for"]
