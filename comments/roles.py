"""The Comment moderator group (made by migration 0002_comment_moderator_group and by
newsroom.roles.ensure_roles, through lib.groups).

Exactly what the moderation queue needs: read and moderate comments, reply as staff,
erase commenters, keep the blocklist and the pre-moderation windows, see commenters;
and read-only access to articles for context.
"""

GROUPS = {
    "Comment moderator": [
        "comments.view_comment",
        "comments.change_comment",
        "comments.add_comment",
        "comments.erase_commenter",
        "comments.view_blockrule",
        "comments.add_blockrule",
        "comments.change_blockrule",
        "comments.delete_blockrule",
        "comments.view_holdwindow",
        "comments.add_holdwindow",
        "comments.change_holdwindow",
        "comments.delete_holdwindow",
        "comments.view_commenter",
        "articles.view_article",
    ],
}
