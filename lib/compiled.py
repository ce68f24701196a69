"""Querysets compiled to SQL once per process and database, then run with fresh parameters.

On a warm reader page most of the server's time goes to the ORM building and
compiling the first queries, not to running them. A query whose shape never
changes (only its values do: the time now, the language, the words searched) is
written with the ORM as usual, with placeholders where those values go; `rows()`
compiles it the first time it runs against a database alias and afterwards puts
the request's values in place of the placeholders. So the rules the query uses
(`published_q()`, say) stay written once, in the ORM.

A placeholder must reach the SQL parameters unchanged (an exact lookup, a
SearchQuery's text): compiling checks that each one did, and fails otherwise.
The time is a parameter like any other, so a time-dependent query gets the time
of each run.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Where the time of the run goes; text placeholders come from `text()`.
NOW = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)

# (key, alias) -> (sql, parameters, {position in parameters: placeholder})
_compiled: dict[tuple[Hashable, str], tuple[str, list, dict[int, Any]]] = {}


def text(name: str) -> str:
    """A placeholder for a text value: a string no reader can send (it starts with NUL)."""
    return f"\x00{name}"


def rows(key: Hashable, alias: str, build: Callable[[], QuerySet], values: dict[Any, Any]) -> list[tuple]:
    """The rows of `build()` (a values_list() queryset with placeholders) on `alias`, with `values`
    (placeholder -> value) in place of the placeholders. The rows come as the database sends them:
    select numbers and text, which the ORM would not convert either.

    `build` runs only the first time `key` is asked of `alias` in this process: `key`
    must name everything the query's shape depends on (which filters, the page's slice).
    """
    try:
        sql, params, slots = _compiled[key, alias]
    except KeyError:
        sql, params, slots = _compiled.setdefault((key, alias), _compile(build().using(alias), alias, values))
    filled = list(params)
    for position, placeholder in slots.items():
        filled[position] = values[placeholder]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, filled)
        return cursor.fetchall()


def _compile(queryset: QuerySet, alias: str, values: dict[Any, Any]) -> tuple[str, list, dict[int, Any]]:
    sql, params = queryset.query.get_compiler(alias).as_sql()
    placeholders = set(values)
    slots = {position: param for position, param in enumerate(params) if _is_hashable(param) and param in placeholders}
    missing = placeholders - set(slots.values())
    if missing:
        raise ValueError(f"Placeholders changed on the way to the SQL parameters: {sorted(map(repr, missing))}")
    return sql, list(params), slots


def _is_hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
