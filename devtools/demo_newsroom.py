"""Demo content for the editorial workflow: a login for each role, and articles in review,
scheduled, and corrected. Idempotent: keyed on user names and slugs.

This runs before the articles app's demo (INSTALLED_APPS order), so it makes its own
author and articles rather than relying on theirs.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.crypto import get_random_string

from articles import workflow
from articles.models import Article, ArticleAuthor, Author, Block, Correction, Tag, Transition
from devtools import demo_articles, devdb
from newsroom.roles import ensure_roles

LOGINS_FILE = devdb.DATA_DIR / "logins.txt"

# (user name, group, what they do)
ROLES = [
    ("writer", "Writer", "writes and submits articles"),
    ("editor", "Editor", "reviews, publishes, schedules, corrects"),
    ("moderator", "Comment moderator", "moderates reader comments"),
    ("newsletter", "Newsletter editor", "composes and sends newsletters"),
    ("development", "Development", "sees donors and gifts, runs match campaigns"),
]

IN_REVIEW = {
    "slug": "demo-fifth-committee-budget-talks",
    "title": "Budget talks for peacekeeping stall in the Fifth Committee",
    "standfirst": "Delegates left a late-night session without agreement on how much the missions may spend next year.",
    "blocks": [
        "Negotiators in the General Assembly's budget committee adjourned shortly before midnight "
        "with three of the largest missions still unfunded for the coming year.",
        "Several delegations asked for cuts to civilian staffing; others said the missions could "
        "not protect civilians with fewer people on the ground.",
    ],
}
SCHEDULED = {
    "slug": "demo-council-visit-to-the-sahel",
    "title": "Security Council members plan a visit to the Sahel",
    "standfirst": "The trip, the first in four years, is meant to hear from governments and civil society in person.",
    "blocks": [
        "Council members are expected to travel to three capitals over five days, "
        "meeting officials, humanitarian workers and displaced families.",
    ],
}
CORRECTED = {
    "slug": "demo-general-assembly-elects-new-members",
    "title": "General Assembly elects five non-permanent Council members",
    "standfirst": "Two seats needed a second round of voting before the results were announced.",
    "blocks": [
        "The Assembly filled five seats on the Security Council for two-year terms starting in January.",
        "One regional group presented a contested slate, which took a second ballot to settle.",
    ],
    "correction": "An earlier version of this article said three rounds of voting were needed. There were two.",
}


# The writer's byline: the demo login "writer" writes as this person.
WRITER = {
    "slug": "lena-marchetti",
    "name": "Lena Marchetti",
    "role": "Staff writer, General Assembly",
    "bio": (
        "Lena Marchetti covers the General Assembly and its committees. She joined the newsroom from a "
        "regional daily, where she reported on local government for eight years."
    ),
}


def _user(stdout, username: str, group_name: str, what: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        password = get_random_string(16)
        user = User.objects.create_user(username, f"{username}@example.org", password, is_staff=True)
        LOGINS_FILE.parent.mkdir(exist_ok=True)
        with open(LOGINS_FILE, "a") as logins:
            logins.write(f"{username} {password}\n")
        LOGINS_FILE.chmod(0o600)
        stdout.write(f"Demo login created: user '{username}', password '{password}' ({group_name}: {what})")
    group = Group.objects.filter(name=group_name).first()
    if group is not None:
        user.groups.add(group)
    return user


def _article(spec: dict, *, author: Author, status: str, published_at=None) -> tuple[Article, bool]:
    article, created = Article.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "standfirst": spec["standfirst"],
            "status": status,
            "published_at": published_at,
            "first_published_at": published_at,
        },
    )
    if created:
        ArticleAuthor.objects.create(article=article, author=author, position=0)
        for position, text in enumerate(spec["blocks"]):
            Block.objects.create(article=article, position=(position + 1) * 10, text=text)
    return article, created


def load(stdout) -> None:
    ensure_roles()
    existing = get_user_model().objects.filter(username__in=[name for name, *_ in ROLES]).count()
    users = {name: _user(stdout, name, group, what) for name, group, what in ROLES}
    if existing == len(ROLES) and LOGINS_FILE.exists():
        stdout.write(f"Demo logins (also in {LOGINS_FILE.name}):")
        for line in LOGINS_FILE.read_text().splitlines():
            if line.split(" ")[0] in users:
                stdout.write(f"  {line}")

    writer, editor = users["writer"], users["editor"]
    author, _ = Author.objects.get_or_create(slug=WRITER["slug"], defaults=WRITER)
    if author.photo_id is None:
        author.photo = demo_articles.demo_photo("portrait-marchetti")
        author.save(update_fields=["photo"])
    if author.user_id is None:
        author.user = writer
        author.save(update_fields=["user"])

    now = timezone.now()
    article, created = _article(IN_REVIEW, author=author, status=Article.Status.DRAFT)
    if created:
        Transition.objects.create(article=article, by=writer, from_state="", to_state=Article.Status.DRAFT)
        workflow.record_revision(article, by=writer)
        article.submit(by=writer, note="Ready for a read; the numbers are from the committee's own documents.")

    article, created = _article(SCHEDULED, author=author, status=Article.Status.DRAFT)
    if created:
        workflow.record_revision(article, by=writer)
        article.submit(by=writer)
        article.schedule(by=editor, at=now + datetime.timedelta(days=3), note="Embargoed until the trip is announced.")

    article, created = _article(
        CORRECTED, author=author, status=Article.Status.PUBLISHED, published_at=now - datetime.timedelta(days=2)
    )
    if created:
        article.lead_photo = demo_articles.demo_photo("ballot")
        article.tags.add(*Tag.objects.filter(name__in=["General Assembly", "Security Council"]))
        article.save(update_fields=["lead_photo"])
        workflow.record_revision(article, by=writer)
        Correction.objects.create(
            article=article, kind=Correction.Kind.CORRECTION, text=CORRECTED["correction"], created_at=now
        )
