"""The Development group: the people who handle money see donor records; no other role does
(made by migration 0002_development_group and by newsroom.roles.ensure_roles, through
lib.groups)."""

MANAGED = ["donor", "gift", "recurringgift", "campaign", "band", "prompt"]

GROUPS = {
    "Development": [
        *(f"donations.{action}_{model}" for model in MANAGED for action in ("add", "change", "view")),
        # Donors are erased (anonymised), not deleted: the accounts keep their gifts.
        "donations.delete_campaign",
        "donations.delete_band",
        "donations.delete_prompt",
        "donations.view_stripeevent",
        "donations.export_donor",
    ],
}
