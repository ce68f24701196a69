"""Demo comments: threads in every state, each under the story it talks about. Safe to run again."""

from __future__ import annotations

import datetime

from django.utils import timezone

from articles.models import Article
from comments.models import BlockRule, Comment, HoldWindow

# (key, parent key, status, name, text, hours ago, featured)
MANDATE_THREAD = [
    (
        "q1",
        None,
        "approved",
        "Mariam K.",
        "Does the new mandate change anything for the civilian protection sites?",
        30,
        True,
    ),
    (
        "a1",
        "q1",
        "approved",
        "Tomás R.",
        "It keeps the sites under the mission's guard for another year, as far as I can read it.",
        28,
        False,
    ),
    ("a2", "a1", "approved", "Mariam K.", "Thanks. The budget annex seems to say the opposite, though.", 27, False),
    (
        "a3",
        "a2",
        "approved",
        "Newsroom desk",
        "The annex covers staffing only; we have asked the mission to clarify.",
        26,
        False,
    ),
    (
        "q2",
        None,
        "approved",
        "Ines B.",
        "Useful explainer. A timeline of the earlier votes would help readers new to this.",
        20,
        False,
    ),
    ("p1", "q2", "pending", "J. Okafor", "Agreed, and a map of the deployment areas.", 2, False),
    (
        "q3",
        None,
        "pending",
        "Paul",
        "Why is nobody talking about the funding gap? See https://example.org/funding",
        1,
        False,
    ),
    ("s1", None, "spam", "Best Deals", "Cheap watches and crypto giveaways at http://spam.example/win", 3, False),
    ("r1", None, "rejected", "Anon", "This is off topic and rude, so it was rejected by a moderator.", 5, False),
]


FOOD_AID_THREAD = [
    (
        "f1",
        None,
        "approved",
        "Grace N.",
        "The point about buying late costing more deserves its own story. Who pays the difference?",
        40,
        True,
    ),
    (
        "f2",
        "f1",
        "approved",
        "Newsroom desk",
        "The agencies absorb it, mostly by cutting rations. We are looking at one country's numbers for a follow-up.",
        36,
        False,
    ),
    ("f3", None, "approved", "Henrik S.", "Five numbers, and every one of them worse than last year.", 22, False),
    ("f4", None, "pending", "D. Mensah", "Is the 'twice' figure for air drops or for chartered flights?", 3, False),
]

PLANNERS_THREAD = [
    (
        "m1",
        None,
        "approved",
        "Sofia L.",
        "I worked on a drawdown and the point about telling local staff first is exactly right.",
        30,
        True,
    ),
    (
        "m2",
        "m1",
        "approved",
        "Karim B.",
        "Same experience. We heard about our own office closing from a radio report.",
        26,
        False,
    ),
    (
        "m3",
        None,
        "approved",
        "Olu A.",
        "Would be good to hear from the host government's side of a handover as well.",
        12,
        False,
    ),
]

# Each thread sits under the story it talks about.
THREADS = {
    "council-extends-south-sudan-mission": MANDATE_THREAD,
    "budget-line-food-aid-in-five-numbers": FOOD_AID_THREAD,
    "former-mission-planners-on-leaving-well": PLANNERS_THREAD,
}


def load(stdout) -> None:
    # The demo's own stories by slug, never whatever is newest (a benchmark adds thousands).
    articles = list(Article.objects.published().filter(slug__in=THREADS))
    created = 0
    now = timezone.now()
    for article in articles:
        made: dict[str, Comment] = {}
        for key, parent_key, status, name, text, hours, featured in THREADS[article.slug]:
            comment, was_created = Comment.objects.get_or_create(
                article=article,
                email=f"demo-{key}@example.org",
                defaults={
                    "parent": made.get(parent_key),
                    "name": name,
                    "text": text,
                    "status": status,
                    "is_featured": featured,
                    "is_staff": name == "Newsroom desk",
                    "created_at": now - datetime.timedelta(hours=hours),
                    "spam_score": 0.97 if status == "spam" else 0.05,
                    "spam_reasons": ["blocked domain spam.example"] if status == "spam" else [],
                },
            )
            made[key] = comment
            created += was_created
    BlockRule.objects.get_or_create(kind=BlockRule.Kind.DOMAIN, value="spam.example", defaults={"note": "Demo"})
    HoldWindow.objects.get_or_create(
        name="Nights (demo, inactive)",
        defaults={"weekdays": [0, 1, 2, 3, 4], "starts": "23:00", "ends": "06:00", "is_active": False},
    )
    stdout.write(f"Comments: {created} demo comments added on {len(articles)} stories.")
