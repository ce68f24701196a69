"""Plain factory functions: deterministic defaults, related rows made only when not given."""

from __future__ import annotations

import datetime
import io
import itertools

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticleAuthor, Author, Block, Column, Interviewee, Photo, Tag

_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def image_bytes(width: int = 640, height: int = 400, fmt: str = "JPEG", color: str = "steelblue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def make_photo(**fields) -> Photo:
    n = _next()
    fields.setdefault("alt_text", f"A conference room at UN headquarters, view {n}")
    fields.setdefault("caption", f"Delegates take their seats, picture {n}.")
    fields.setdefault("credit", "NEWSROOM PHOTO")
    photo = Photo(**{k: v for k, v in fields.items() if k != "image"})
    # The content needs a name, or ImageField leaves width and height unset.
    content = ContentFile(fields.get("image") or image_bytes(), name=f"photo-{n}.jpg")
    photo.image.save(f"photo-{n}.jpg", content, save=False)
    photo.save()
    return photo


def make_author(**fields) -> Author:
    n = _next()
    fields.setdefault("name", f"Author {n}")
    fields.setdefault("slug", f"author-{n}")
    fields.setdefault("role", "Contributing writer")
    fields.setdefault("bio", f"Author {n} reports on the Security Council.")
    return Author.objects.create(**fields)


def make_column(**fields) -> Column:
    n = _next()
    fields.setdefault("name", f"Column {n}")
    fields.setdefault("slug", f"column-{n}")
    fields.setdefault("description", "A monthly column on appointments at the UN.")
    return Column.objects.create(**fields)


def make_tag(**fields) -> Tag:
    n = _next()
    fields.setdefault("name", f"Tag {n}")
    fields.setdefault("slug", f"tag-{n}")
    return Tag.objects.create(**fields)


def make_article(*, authors: list[Author] | None = None, tags: list[Tag] | None = None, **fields) -> Article:
    n = _next()
    fields.setdefault("title", f"Security Council story {n}")
    fields.setdefault("slug", f"security-council-story-{n}")
    fields.setdefault("standfirst", f"What happened in the chamber, part {n}.")
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED:
        # Minutes apart, newest first; never old enough to close comments or leave "this week".
        fields.setdefault("published_at", timezone.now() - datetime.timedelta(minutes=n))
    article = Article.objects.create(**fields)
    for position, author in enumerate(authors if authors is not None else [make_author()]):
        ArticleAuthor.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.add(*tags)
    return article


def make_block(article: Article, **fields) -> Block:
    fields.setdefault("kind", Block.Kind.PARAGRAPH)
    fields.setdefault("position", article.blocks.count())
    fields.setdefault("text", "The Council met on Tuesday.")
    return Block.objects.create(article=article, **fields)


def make_interviewee(article: Article, **fields) -> Interviewee:
    n = _next()
    fields.setdefault("name", f"Interviewee {n}")
    fields.setdefault("label", f"SPEAKER{n}")
    return Interviewee.objects.create(article=article, **fields)


def make_user(username: str = "reader", *, is_staff: bool = False, is_superuser: bool = False, perms: tuple = ()):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", "correct horse battery", is_staff=is_staff, is_superuser=is_superuser
    )
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def make_comment(article: Article | None = None, **fields):
    """A comment, approved unless told otherwise."""
    from comments.models import Comment

    n = _next()
    fields.setdefault("name", f"Reader {n}")
    fields.setdefault("email", f"reader{n}@example.org")
    fields.setdefault("text", f"A thoughtful remark about the resolution, number {n}.")
    fields.setdefault("status", Comment.Status.APPROVED)
    comment = Comment(article=article or make_article(), **fields)
    comment.save()
    return comment


def make_staff(username: str, group: str, *, author: Author | None = None):
    """A staff user in one of the role groups ("Writer", "Editor", ...), optionally linked to an Author."""
    from django.contrib.auth.models import Group

    from newsroom.roles import ensure_roles

    ensure_roles()  # a transactional test may have flushed what the data migration made
    user = make_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if author is not None:
        author.user = user
        author.save(update_fields=["user"])
    return user


def make_writer(username: str = "writer"):
    return make_staff(username, "Writer", author=make_author(name=username.title(), slug=f"{username}-author"))


def make_editor(username: str = "editor"):
    return make_staff(username, "Editor")


def make_newsletter(**fields):
    from newsletter.models import Newsletter

    n = _next()
    fields.setdefault("name", f"Daily briefing {n}")
    fields.setdefault("slug", f"daily-briefing-{n}")
    fields.setdefault("in_signup_box", True)
    return Newsletter.objects.create(**fields)


def make_subscriber(*newsletters, **fields):
    from newsletter.models import Subscriber

    n = _next()
    fields.setdefault("email", f"reader{n}@example.org")
    fields.setdefault("status", Subscriber.Status.CONFIRMED)
    if fields["status"] == Subscriber.Status.CONFIRMED:
        fields.setdefault("confirmed_at", timezone.now())
    subscriber = Subscriber.objects.create(**fields)
    subscriber.newsletters.add(*newsletters)
    return subscriber


def make_campaign(newsletter=None, *, stories=(), **fields):
    from newsletter.models import Campaign, CampaignStory

    n = _next()
    fields.setdefault("subject", f"The day at the UN, number {n}")
    fields.setdefault("intro", 'Good morning. <a href="/about/">About us</a>. <script>alert(1)</script>')
    campaign = Campaign.objects.create(newsletter=newsletter or make_newsletter(), **fields)
    for position, article in enumerate(stories):
        CampaignStory.objects.create(campaign=campaign, article=article, position=position)
    return campaign


def make_long_interview(*, questions: int = 300, photos: int = 20, **fields) -> Article:
    """A long interview for performance checks: `questions` questions with an answer each (about
    10,000 words for 300), a photo every so often, one interviewee. Blocks are bulk-created."""
    from articles import markup

    fields.setdefault("kind", Article.Kind.INTERVIEW)
    article = make_article(**fields)
    person = make_interviewee(article, name="Amina Diallo", label="AMINA DIALLO")
    pictures = [make_photo() for _ in range(photos)]
    every = max(1, questions // max(1, photos))
    blocks = []
    for n in range(questions):
        question = f"<p>Question {n}: what did the delegation decide about the mandate?</p>"
        answer = (
            f"<p>Answer {n}: it weighed staying against leaving, and so chose to hand over the bases "
            "one by one, the <em>host government</em> in the lead.</p>"
        )
        blocks.append(Block(article=article, kind="question", text=question))
        blocks.append(Block(article=article, kind="answer", text=answer, speaker=person))
        if n % every == every - 1 and pictures:
            blocks.append(Block(article=article, kind="photo", photo=pictures.pop()))
    for position, block in enumerate(blocks, start=1):
        block.position = position * 10
        block.html = markup.render_block_text(block.kind, block.text)
    Block.objects.bulk_create(blocks)
    return article
