"""Article.page_version and comments_version, kept by PostgreSQL triggers (declared in the articles'
and comments' models' Meta.triggers): every write to what the article page shows moves them, by any path."""

from django.db import transaction
from django.test import TestCase

from articles.models import Article, ArticleAuthor, Author, Block, Column, Correction, Photo, Tag
from comments.models import Comment, Vote
from tests.factories import (
    make_article,
    make_author,
    make_block,
    make_column,
    make_comment,
    make_interviewee,
    make_photo,
    make_tag,
)


def versions(article: Article) -> tuple[int, int]:
    return tuple(Article.objects.filter(pk=article.pk).values_list("page_version", "comments_version").get())


class PageVersionTests(TestCase):
    def setUp(self) -> None:
        self.author_photo, self.lead_photo, self.block_photo = make_photo(), make_photo(), make_photo()
        self.author = make_author(photo=self.author_photo)
        self.tag, self.column = make_tag(), make_column()
        self.article = make_article(authors=[self.author], tags=[self.tag], column=self.column)
        Article.objects.filter(pk=self.article.pk).update(lead_photo=self.lead_photo)
        self.block = make_block(self.article, kind=Block.Kind.PHOTO, photo=self.block_photo)
        self.other = make_article()

    def assert_page_changes(self, change, *, article: Article | None = None) -> None:
        article = article or self.article
        page, comments = versions(article)
        other = versions(self.other)
        change()
        new_page, new_comments = versions(article)
        self.assertGreater(new_page, page)
        self.assertEqual(new_comments, comments, "the comment section did not change")
        self.assertEqual(versions(self.other), other, "an article not involved keeps its version")

    def test_a_new_article_gets_its_numbers_on_insert(self) -> None:
        article = Article.objects.create(title="New", slug="new")
        self.assertGreater(article.page_version, 0)
        self.assertEqual((article.page_version, article.comments_version), versions(article))

    def test_saving_the_article_moves_it(self) -> None:
        def save() -> None:
            self.article.refresh_from_db()
            self.article.standfirst = "A new standfirst."
            self.article.save()

        self.assert_page_changes(save)

    def test_each_part_of_the_page_moves_it(self) -> None:
        changes = {
            "a new block": lambda: make_block(self.article, text="More."),
            "an edited block": lambda: Block.objects.filter(pk=self.block.pk).update(caption="New caption"),
            "an interviewee": lambda: make_interviewee(self.article),
            "a correction": lambda: Correction.objects.create(article=self.article, text="Fixed a name."),
            "a byline": lambda: ArticleAuthor.objects.create(article=self.article, author=make_author(), position=2),
            "a tag added": lambda: self.article.tags.add(make_tag()),
            "the author's bio": lambda: Author.objects.filter(pk=self.author.pk).update(bio="New."),
            "the tag's name": lambda: Tag.objects.filter(pk=self.tag.pk).update(name="Renamed"),
            "the column's cadence": lambda: Column.objects.filter(pk=self.column.pk).update(cadence="Weekly"),
            "the lead photo's credit": lambda: Photo.objects.filter(pk=self.lead_photo.pk).update(credit="NEW"),
            "a block photo's renditions": lambda: Photo.objects.filter(pk=self.block_photo.pk).update(
                renditions={"jpeg": [[480, "x.jpg"]]}
            ),
            "the author's portrait": lambda: Photo.objects.filter(pk=self.author_photo.pk).update(alt_text="New"),
            # Last, as the edits above need the block and the tag in place.
            "a deleted block": lambda: Block.objects.filter(pk=self.block.pk).delete(),
            "a tag removed": lambda: self.article.tags.clear(),
        }
        for name, change in changes.items():
            with self.subTest(name):
                self.assert_page_changes(change)

    def test_deleting_an_author_moves_the_pages_that_named_them(self) -> None:
        self.assert_page_changes(self.author.delete)

    def test_a_stale_python_save_never_moves_a_number_back(self) -> None:
        stale = Article.objects.get(pk=self.article.pk)
        make_comment(self.article)
        _, comments = versions(self.article)
        stale.title = "Edited with an old copy"
        stale.save()
        self.assertEqual(versions(self.article)[1], comments)

    def test_numbers_are_never_reused_after_a_rollback(self) -> None:
        before = versions(self.article)[0]
        with transaction.atomic():
            sid = transaction.savepoint_create()
            make_block(self.article, text="Seen only inside the savepoint.")
            inside = versions(self.article)[0]
            transaction.savepoint_rollback(sid)
        self.assertEqual(versions(self.article)[0], before)
        make_block(self.article, text="Kept.")
        self.assertGreater(versions(self.article)[0], inside)


class CommentsVersionTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article()
        self.comment = make_comment(self.article)

    def assert_comments_change(self, change) -> None:
        page, comments = versions(self.article)
        change()
        new_page, new_comments = versions(self.article)
        self.assertGreater(new_comments, comments)
        self.assertEqual(new_page, page, "the article's own content did not change")

    def test_comments_and_votes_move_it(self) -> None:
        changes = {
            "a new comment": lambda: make_comment(self.article),
            "a moderated comment": lambda: Comment.objects.filter(pk=self.comment.pk).update(status="rejected"),
            "a vote": lambda: Vote.objects.create(comment=self.comment, reader_id="r1", value=1),
            "a changed vote": lambda: Vote.objects.filter(comment=self.comment).update(value=-1),
            "a deleted comment": lambda: Comment.objects.filter(pk=self.comment.pk).delete(),
        }
        for name, change in changes.items():
            with self.subTest(name):
                self.assert_comments_change(change)
