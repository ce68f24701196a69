"""Render the introductions of campaigns not yet sent as Markdown, as they will now be sent.

Sent and cancelled campaigns keep the HTML they went out with.
"""

from django.db import migrations

from articles import markup


def render_intros(apps, schema_editor) -> None:
    Campaign = apps.get_model("newsletter", "Campaign")
    campaigns = list(Campaign.objects.filter(status__in=["draft", "scheduled"]).only("id", "intro", "intro_html"))
    for campaign in campaigns:
        campaign.intro_html = markup.render_markdown(campaign.intro)
    Campaign.objects.bulk_update(campaigns, ["intro_html"])


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0004_campaign_intro_markdown")]

    operations = [migrations.RunPython(render_intros, migrations.RunPython.noop)]
