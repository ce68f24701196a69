"""Database triggers, declared on the models whose rows fire them (`Meta.triggers`).

Why triggers rather than save() or signals: what they keep right (an article's
`page_version` and `comments_version`, its search document, the page cache's change
log) depends on other rows, and those rows are written by the admin and its inlines,
the workflow, imports, tasks, bulk scripts, raw SQL and cascading deletes. A trigger
sees every one of those writes and keeps save() pure, as the style guide asks.

Most are statement-level triggers with transition tables: one set-based query per
statement, so a bulk insert costs one refresh, not one per row. PostgreSQL allows
transition tables only on a trigger with a single event, so each event (insert,
update, delete) is a trigger of its own; the helpers below write the three.

django-pgtrigger installs them through migrations (`makemigrations` writes an
AddTrigger for each) and names each `pgtrigger_<name>_<hash of the model>`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pgtrigger

EVENTS = ("insert", "update", "delete")
_OPERATIONS = {
    "insert": (pgtrigger.Insert, pgtrigger.Referencing(new="new_rows")),
    "update": (pgtrigger.Update, pgtrigger.Referencing(old="old_rows", new="new_rows")),
    "delete": (pgtrigger.Delete, pgtrigger.Referencing(old="old_rows")),
}

# The worker LISTENs on this channel (newsroom/cache.py); PostgreSQL delivers on commit.
CACHE_CHANNEL = "newsroom_cache_changes"


def rows(select: str, event: str) -> str:
    """`select` over the statement's rows, where it says `{rows}`: the new rows after an insert,
    the old rows after a delete, and both after an update (what the rows were and what they are)."""
    if "{rows}" not in select:
        return select
    if event == "update":
        return f"{select.replace('{rows}', 'new_rows')} UNION {select.replace('{rows}', 'old_rows')}"
    return select.replace("{rows}", "new_rows" if event == "insert" else "old_rows")


def after_statement(name: str, event: str, body: str) -> pgtrigger.Trigger:
    """An AFTER ... FOR EACH STATEMENT trigger named `<name>_<event>`, whose PL/pgSQL `body`
    reads the statement's rows as `new_rows` and `old_rows`."""
    operation, referencing = _OPERATIONS[event]
    return pgtrigger.Trigger(
        name=f"{name}_{event}",
        when=pgtrigger.After,
        operation=operation,
        level=pgtrigger.Statement,
        referencing=referencing,
        func=f"{body}\nRETURN NULL;",
    )


def for_each_event(name: str, select: str, action: str, *, events: Iterable[str] = EVENTS) -> list[pgtrigger.Trigger]:
    """Triggers that run `action` with `{ids}` replaced by ARRAY(`select`) over each event's rows."""
    return [after_statement(name, event, action.replace("{ids}", f"ARRAY({rows(select, event)})")) for event in events]


def record_cache_changes(select: str, *, events: Iterable[str] = EVENTS) -> list[pgtrigger.Trigger]:
    """Triggers that add the changes `select` yields (one text column, over `{rows}`) to the page
    cache's change log, newsroom_cachechange, and wake the worker, which decides what they purge
    (newsroom/cache.py). A change already waiting is not added twice."""
    return [
        after_statement(
            "cache",
            event,
            f"""INSERT INTO newsroom_cachechange (change)
    SELECT DISTINCT change FROM ({rows(select, event)}) AS changes (change) WHERE change IS NOT NULL
    ON CONFLICT (change) DO NOTHING;
IF FOUND THEN
    PERFORM pg_notify('{CACHE_CHANNEL}', '');
END IF;""",
        )
        for event in events
    ]
