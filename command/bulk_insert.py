"""Many rows of one model in one statement, for the paths every report takes.

QuerySet.bulk_create does more Python per call than a report's whole SQL round trip, and intake
makes several such calls for every batch. This writes the same columns with the same field
conversions, and no more.

On PostgreSQL the rows go as one array per column (`unnest`): the statement's text then stays
the same for any number of rows, so psycopg parses it once. A VALUES list with more than 50
parameters it parses again on every call.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import connection
from django.db.models import Field, Model

# Keeps every statement well under SQLite's and PostgreSQL's limits on parameters.
MAX_ROWS = 500


def insert_all(objs: Sequence[Model]) -> None:
    """INSERT unsaved instances of one model with an auto-incremented key (no signals, no
    save()); sets their keys."""
    for start in range(0, len(objs), MAX_ROWS):
        _insert(objs[start : start + MAX_ROWS])


def update_all(objs: Sequence[Model]) -> None:
    """UPDATE saved instances of one model, every column as save() writes them (auto_now fields
    included), in one statement per MAX_ROWS; no signals."""
    for start in range(0, len(objs), MAX_ROWS):
        _update(objs[start : start + MAX_ROWS])


def _insert(objs: Sequence[Model]) -> None:
    if not objs:
        return
    model = type(objs[0])
    fields = _fields(model)
    rows = [_values(obj, fields, add=True) for obj in objs]
    table, pk, columns = _quoted(model, fields)
    source, params = _rows_sql(model, fields, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {source} RETURNING {pk}", params)
        # One statement's generated keys rise in the order of its rows.
        keys = sorted(found for (found,) in cursor.fetchall())
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


def _update(objs: Sequence[Model]) -> None:
    if not objs:
        return
    model = type(objs[0])
    fields = (model._meta.pk, *_fields(model))
    rows = [(obj.pk, *_values(obj, fields[1:], add=False)) for obj in objs]
    source, params = _rows_sql(model, fields, rows)
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, fields).format(source=source), params)


def _values(obj: Model, fields: tuple[Field, ...], *, add: bool) -> list:
    return [field.get_db_prep_save(field.pre_save(obj, add), connection) for field in fields]


def _rows_sql(model: type[Model], fields: tuple[Field, ...], rows: list[list]) -> tuple[str, list]:
    """A row source for `rows`: unnest of one array per column on PostgreSQL, VALUES elsewhere."""
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{t}[]" for t in _array_types(model, fields))
        return f"SELECT * FROM unnest({arrays})", [
            list(column) for column in zip(*rows, strict=True)
        ]
    row = f"({', '.join(['%s'] * len(fields))})"
    return f"VALUES {', '.join([row] * len(rows))}", [value for values in rows for value in values]


@functools.cache
def _fields(model: type[Model]) -> tuple[Field, ...]:
    pk = model._meta.pk
    return tuple(f for f in model._meta.concrete_fields if f is not pk)


@functools.cache
def _array_types(model: type[Model], fields: tuple[Field, ...]) -> tuple[str, ...]:
    # A foreign key's type is its target's (bigint for a BigAutoField key).
    return tuple(f.db_type(connection) for f in fields)


@functools.cache
def _update_sql(model: type[Model], fields: tuple[Field, ...]) -> str:
    """UPDATE from a row source of `fields` (key first), left as `{source}`."""
    table, pk, names = _quoted(model, fields)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields[1:])
    return (
        f"WITH v ({names}) AS ({{source}}) "
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.{pk}"
    )


@functools.cache
def _quoted(model: type[Model], fields: tuple[Field, ...]) -> tuple[str, str, str]:
    """The table, its primary key column and `fields`' columns, quoted."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    return quote(model._meta.db_table), quote(model._meta.pk.column), columns
