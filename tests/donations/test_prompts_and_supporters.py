import datetime

from django.test import TestCase
from django.utils import timezone

from donations import fragments
from donations.models import Band, Donor, Prompt
from newsletter import emails
from tests.donations.test_donate import make_gift
from tests.factories import make_article, make_campaign, make_newsletter


class SupportersPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        Band.objects.create(name="$5,000 and above", minimum=500_000)
        Band.objects.create(name="$1,000 to $4,999", minimum=100_000)
        Band.objects.create(name="Up to $999", minimum=1)
        old = timezone.now() - datetime.timedelta(days=400)
        for name, amounts, listed in [
            ("Big Giver", [400_000, 200_000], True),
            ("Middle Giver", [150_000], True),
            ("Small Giver", [2_500], True),
            ("Anonymous Giver", [900_000], False),
            ("Last Year's Giver", [], True),
        ]:
            donor = Donor.objects.create(email=f"{name[:3].lower()}@example.org", is_listed=listed, listed_name=name)
            for amount in amounts:
                make_gift(donor, amount)
        make_gift(Donor.objects.get(listed_name="Last Year's Giver"), 900_000, paid_at=old)
        # a refund takes a donor down a band
        make_gift(Donor.objects.get(listed_name="Middle Giver"), 400_000, refunded_amount=400_000)

    def test_it_lists_agreeing_donors_by_band_of_the_past_year(self) -> None:
        # 1. the running campaign, for the site-wide banner, 2. the header's sections (both kept in
        # memory after), 3. the bands, 4. listed donors with their totals of the past twelve months
        with self.assertNumQueries(4):
            response = self.client.get("/donate/supporters/")
        html = response.content.decode()
        self.assertLess(html.index("$5,000 and above"), html.index("Big Giver"))
        self.assertLess(html.index("Big Giver"), html.index("$1,000 to $4,999"))
        self.assertLess(html.index("$1,000 to $4,999"), html.index("Middle Giver"))
        self.assertLess(html.index("Up to $999"), html.index("Small Giver"))
        self.assertNotContains(response, "Anonymous Giver")
        self.assertNotContains(response, "Last Year")

    def test_names_are_escaped(self) -> None:
        Donor.objects.filter(listed_name="Small Giver").update(listed_name="<script>alert(1)</script>")
        response = self.client.get("/donate/supporters/")
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;")


class PromptTests(TestCase):
    def test_articles_end_with_the_prompt_editors_set(self) -> None:
        article = make_article(title="A story")
        self.assertNotContains(self.client.get(article.get_absolute_url()), "donate-prompt")
        Prompt.objects.create(
            placement=Prompt.Placement.ARTICLE,
            heading="Reporting like this costs money",
            text="<b>Readers</b> pay for it.",
            button_label="Give now",
        )
        fragments.purge()  # as saving in the admin does
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "Reporting like this costs money")
        self.assertContains(response, "&lt;b&gt;Readers&lt;/b&gt;")
        self.assertContains(response, '<a class="button" href="/donate/">Give now</a>', html=True)

    def test_the_admin_hides_a_prompt(self) -> None:
        from django.contrib.auth import get_user_model

        prompt = Prompt.objects.create(placement=Prompt.Placement.ARTICLE, heading="Support us", text="Please.")
        article = make_article()
        self.assertContains(self.client.get(article.get_absolute_url()), "Support us")
        admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
        self.client.force_login(admin)
        self.client.post(
            f"/admin/donations/prompt/{prompt.pk}/change/",
            {"placement": "article", "heading": "Support us", "text": "Please.", "button_label": "Donate"},
        )
        self.client.logout()
        self.assertNotContains(self.client.get(article.get_absolute_url()), "Support us")

    def test_newsletters_carry_the_newsletter_prompt(self) -> None:
        Prompt.objects.create(placement=Prompt.Placement.NEWSLETTER, heading="Keep this briefing free", text="Give.")
        campaign = make_campaign(make_newsletter(), stories=[make_article()])
        rendered = emails.render_campaign(campaign)
        self.assertIn("Keep this briefing free", rendered.html)
        self.assertIn('href="https://news.example.org/donate/"', rendered.html)
        self.assertIn("KEEP THIS BRIEFING FREE", rendered.text)
        self.assertIn("https://news.example.org/donate/", rendered.text)
