"""The reading time under the byline: everything the page asks a reader to read, rounded up (issue 13)."""

from django.test import TestCase

from articles.models import Article, Block
from tests.factories import make_article, make_block, make_interviewee


def words(count: int) -> str:
    return " ".join(["word"] * count)


class ReadingTimeTests(TestCase):
    def reading_time(self, article: Article) -> str:
        html = self.client.get(article.get_absolute_url()).content.decode()
        return html.split('class="dateline__reading">')[1].split("<")[0]

    def test_an_interview_counts_its_questions_answers_participants_and_note(self) -> None:
        # The demo's 300-word interview said "1 min read": its body alone, rounded to the nearest minute.
        interview = make_article(
            kind=Article.Kind.INTERVIEW, standfirst=words(30), editors_note="Edited for length and clarity."
        )
        guest = make_interviewee(interview, name="Nadia Haddad", label="NADIA HADDAD", description=words(20))
        for _ in range(4):
            make_block(interview, kind=Block.Kind.QUESTION, text=words(10))
            make_block(interview, kind=Block.Kind.ANSWER, text=words(55), speaker=guest)
        # 260 body words, 30 in the standfirst, 5 in the note, 22 for the guest: 317 words at 230 a minute.
        self.assertEqual(self.reading_time(interview), "2 min read")

    def test_a_long_interview_takes_minutes_in_proportion(self) -> None:
        interview = make_article(kind=Article.Kind.INTERVIEW, standfirst="")
        for _ in range(20):
            make_block(interview, kind=Block.Kind.QUESTION, text=words(15))
            make_block(interview, kind=Block.Kind.ANSWER, text=words(100))
        self.assertEqual(self.reading_time(interview), "10 min read")  # 2,300 words

    def test_a_short_story_is_a_minute(self) -> None:
        story = make_article(standfirst="")
        make_block(story, text=words(100))
        self.assertEqual(self.reading_time(story), "1 min read")

    def test_chinese_counts_characters_not_spaces(self) -> None:
        story = make_article(language="zh", standfirst="")
        make_block(story, text="安理会" * 200)  # 600 characters and not one space
        self.assertEqual(self.reading_time(story), "阅读需 3 分钟")  # "3 min read", in Chinese
