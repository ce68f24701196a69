import time

from django.core import signing

from comments.spam import FORM_SALT


def issued(seconds_ago: float = 30) -> str:
    """A signed form timestamp from `seconds_ago`, as the form would have carried."""
    return signing.dumps(time.time() - seconds_ago, salt=FORM_SALT)


def comment_data(**fields) -> dict:
    data = {
        "name": "Amina",
        "email": "amina@example.org",
        "text": "The vote on the mandate renewal was closer than expected.",
        "issued": issued(),
        "website": "",
    }
    data.update(fields)
    return data
