"""Reference rows every intake reads (sources, taxonomy, holidays, units), cached per process.

Saving or deleting one of them clears this process's caches; other processes follow within
the caches' TTL.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from command import ttl_cache
from command.models import (
    Category,
    CategoryAlias,
    District,
    Holiday,
    Source,
    StaffProfile,
    Unit,
)

# Source codes as integrators say them, to ours: every city system calls the hotline "12345".
SOURCE_ALIASES = {"12345": "hotline"}


@ttl_cache.ttl_cached(60)
def sources() -> dict[str, Source]:
    return {s.code: s for s in Source.objects.all()}


def source_code(given: str) -> str:
    """Our code for a source code as it came in (an alias such as "12345", or ours)."""
    return SOURCE_ALIASES.get(given, given)


@ttl_cache.ttl_cached(60)
def active_units() -> dict[int, Unit]:
    return {u.id: u for u in Unit.objects.filter(active=True)}


@ttl_cache.ttl_cached(60)
def unit_parents() -> dict[int, int | None]:
    return dict(Unit.objects.values_list("id", "parent_id"))


def _forget(**kwargs) -> None:
    ttl_cache.clear()


def connect_signals() -> None:
    for model in (Category, CategoryAlias, District, Holiday, Source, StaffProfile, Unit):
        post_save.connect(_forget, sender=model, dispatch_uid=f"forget-{model.__name__}")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"forget-del-{model.__name__}")
    for through in (Unit.districts.through, Unit.categories.through):
        m2m_changed.connect(_forget, sender=through, dispatch_uid=f"forget-{through.__name__}")
