"""The Writer and Editor groups with exactly the permissions their roles need (see README).

Made by newsroom's data migration 0003_editorial_roles and by newsroom.roles.ensure_roles,
through lib.groups.
"""

WRITER = {
    "article": ["add", "change", "view"],
    "articleauthor": ["add", "change", "delete", "view"],
    "block": ["add", "change", "delete", "view"],
    "taggedarticle": ["add", "change", "delete", "view"],
    "interviewee": ["add", "change", "delete", "view"],
    "author": ["view"],
    "column": ["view"],
    "photo": ["add", "view"],
    "tag": ["view"],
    "revision": ["view"],
    "transition": ["view"],
}
EDITOR_MODELS = [
    "article",
    "articleauthor",
    "block",
    "taggedarticle",
    "interviewee",
    "author",
    "column",
    "photo",
    "tag",
    "correction",
    "previewlink",
    "revision",
    "transition",
]

GROUPS = {
    "Writer": [f"articles.{action}_{model}" for model, actions in WRITER.items() for action in actions],
    "Editor": [
        *(f"articles.{action}_{model}" for model in EDITOR_MODELS for action in ("add", "change", "delete", "view")),
        "articles.review_article",
        "articles.publish_article",
    ],
}
