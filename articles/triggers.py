"""The SQL of the triggers that articles/models.py declares on its models.

**Versions.** The article page is rendered once and kept in each app server's memory,
keyed by `page_version` (articles/rendering.py); the comment section by
`comments_version`. That is only safe if the number changes with everything the page
shows, whoever writes it. Numbers come from one sequence, which a rollback never
rewinds: a number seen once is never reused for other content, not even by a preview
that edits rows inside a savepoint and rolls back. Python writes back the numbers it
loaded with the row, so the article's row trigger keeps the larger of the old and new
numbers unless other columns changed.

**Search.** `articles_refresh_search_documents(ids)` (a SQL function, migration
0018_search_per_language) rebuilds the search documents of the given articles in one
set-based upsert; the `search_*` triggers call it with the articles a statement's rows
touch.
"""

from __future__ import annotations

from collections.abc import Iterable

import pgtrigger

from lib.triggers import EVENTS, for_each_event

VERSION_SEQUENCE = "articles_version_seq"


def bump_page_versions(articles: str, *, events: Iterable[str] = EVENTS) -> list[pgtrigger.Trigger]:
    """Triggers that give a new `page_version` to the articles that `articles` selects
    (a query of article ids over the changed rows, `{rows}`)."""
    return for_each_event(
        "page_version",
        articles,
        f"UPDATE articles_article SET page_version = nextval('{VERSION_SEQUENCE}') WHERE id = ANY({{ids}});",
        events=events,
    )


def refresh_search(articles: str, *, events: Iterable[str] = EVENTS) -> list[pgtrigger.Trigger]:
    """Triggers that rebuild the search documents of the articles that `articles` selects."""
    return for_each_event("search", articles, "PERFORM articles_refresh_search_documents({ids});", events=events)


# A new article gets numbers; an update gets a new page_version when anything but the
# two numbers changed, and otherwise keeps the larger of the numbers it had and was given.
ARTICLE_VERSIONS = pgtrigger.Trigger(
    name="page_version",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert | pgtrigger.Update,
    func=f"""
IF TG_OP = 'INSERT' THEN
    NEW.page_version := nextval('{VERSION_SEQUENCE}');
    NEW.comments_version := nextval('{VERSION_SEQUENCE}');
    RETURN NEW;
END IF;
NEW.comments_version := GREATEST(NEW.comments_version, OLD.comments_version);
IF to_jsonb(NEW) - '{{page_version,comments_version}}'::text[]
        IS DISTINCT FROM to_jsonb(OLD) - '{{page_version,comments_version}}'::text[] THEN
    NEW.page_version := nextval('{VERSION_SEQUENCE}');
ELSE
    NEW.page_version := GREATEST(NEW.page_version, OLD.page_version);
END IF;
RETURN NEW;""",
)

# The translation group rules that span two rows, enforced whatever writes the rows
# (admin, imports, scripts); Article.clean_translation_group() repeats them for forms.
# Locking the original FOR SHARE serialises this check with a concurrent change of
# the original itself (turning it into a translation, or changing its language).
_GROUP_RULES = """
IF NEW.translation_of_id IS NOT NULL THEN
    SELECT translation_of_id, language INTO original
        FROM articles_article WHERE id = NEW.translation_of_id FOR SHARE;
    IF FOUND AND original.translation_of_id IS NOT NULL THEN
        RAISE EXCEPTION 'article % cannot be a translation of article %, which is itself a translation',
            NEW.id, NEW.translation_of_id USING ERRCODE = 'check_violation';
    END IF;
    IF FOUND AND original.language = NEW.language THEN
        RAISE EXCEPTION 'article % is in %, the language of the article it translates',
            NEW.id, NEW.language USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id) THEN
        RAISE EXCEPTION 'article % has translations, so it cannot be a translation', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
ELSIF TG_OP = 'UPDATE' AND NEW.language IS DISTINCT FROM OLD.language AND EXISTS (
        SELECT 1 FROM articles_article WHERE translation_of_id = NEW.id AND language = NEW.language) THEN
    RAISE EXCEPTION 'article % has a translation in %', NEW.id, NEW.language USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;"""
# Only a translation, or an article whose language changes, has anything to check: the
# WHEN conditions keep the function from being called for the others (most articles).
TRANSLATION_GROUP_RULES = [
    pgtrigger.Trigger(
        name="translation_group_rules_insert",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert,
        condition=pgtrigger.Condition("NEW.translation_of_id IS NOT NULL"),
        declare=[("original", "record")],
        func=_GROUP_RULES,
    ),
    pgtrigger.Trigger(
        name="translation_group_rules_update",
        when=pgtrigger.Before,
        operation=pgtrigger.UpdateOf("translation_of_id", "language"),
        condition=pgtrigger.Condition(
            "NEW.translation_of_id IS NOT NULL OR NEW.language IS DISTINCT FROM OLD.language"
        ),
        declare=[("original", "record")],
        func=_GROUP_RULES,
    ),
]

# A translation group's members show each other (hreflang, the language switcher,
# JSON-LD), so publishing, unpublishing, re-dating, renaming or moving one member
# changes every other member's page: bump their page_version (and so purge them).
# An update that changes none of those columns fires nothing (the WHEN condition), which
# also ends the bump's own updates.
_GROUP_VERSIONS = f"""
groups := ARRAY[]::bigint[];
IF TG_OP <> 'DELETE' THEN
    groups := groups || COALESCE(NEW.translation_of_id, NEW.id);
    changed := NEW.id;
END IF;
IF TG_OP <> 'INSERT' THEN
    groups := groups || COALESCE(OLD.translation_of_id, OLD.id);
    changed := OLD.id;
END IF;
UPDATE articles_article SET page_version = nextval('{VERSION_SEQUENCE}')
    WHERE (id = ANY(groups) OR translation_of_id = ANY(groups)) AND id <> changed;
RETURN NULL;"""
TRANSLATION_GROUP_VERSIONS = [
    pgtrigger.Trigger(
        name=f"translation_group_versions_{name}",
        when=pgtrigger.After,
        operation=operation,
        condition=condition,
        declare=[("groups", "bigint[]"), ("changed", "bigint")],
        func=_GROUP_VERSIONS,
    )
    for name, operation, condition in [
        ("insert", pgtrigger.Insert, None),
        (
            "update",
            pgtrigger.Update,
            pgtrigger.AnyChange("status", "published_at", "slug", "language", "translation_of"),
        ),
        ("delete", pgtrigger.Delete, None),
    ]
]

ARTICLE_SEARCH_CHANGED = """SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
WHERE (n.title, n.standfirst, n.status, n.kind, n.published_at, n.column_id, n.lead_photo_id, n.lead_caption,
       n.language)
    IS DISTINCT FROM (o.title, o.standfirst, o.status, o.kind, o.published_at, o.column_id, o.lead_photo_id,
                      o.lead_caption, o.language)"""

# The article's own changes for the page cache: its page and its comments (their versions
# moved), and the lists it is in (status, publish time, address or column changed).
ARTICLE_CACHE_UPDATE = """
    SELECT 'article-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.page_version IS DISTINCT FROM o.page_version
    UNION ALL SELECT 'comments-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.comments_version IS DISTINCT FROM o.comments_version
    UNION ALL SELECT 'listed-' || n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.published_at, n.slug, n.column_id)
            IS DISTINCT FROM (o.status, o.published_at, o.slug, o.column_id)
"""
