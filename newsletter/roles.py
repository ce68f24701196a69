"""The Newsletter editor group: subscribers and campaigns, nothing else (made by migration
0002_newsletter_editor_group and by newsroom.roles.ensure_roles, through lib.groups)."""

GROUPS = {
    "Newsletter editor": [
        *(
            f"newsletter.{action}_{model}"
            for model in ("subscriber", "campaign")
            for action in ("add", "change", "delete", "view")
        ),
        # The consent history is part of a subscriber (read-only); send_campaign is Campaign's own.
        "newsletter.view_subscriberevent",
        "newsletter.send_campaign",
    ],
}
