import os
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from hypothesis import HealthCheck, Phase, settings as hypothesis_settings

from newsroom.catalogs import compile_stale

BASE_DIR = Path(__file__).resolve().parent.parent
CORPORA = BASE_DIR.parent / "shared" / "corpora"

# Property-based tests (Hypothesis). "ci", the default, keeps `make test` fast and repeatable:
# few examples, the same ones every run, no example database. `make fuzz` runs "fuzz": many
# random examples, failures remembered in .hypothesis/ and replayed first next time.
# "ci" reports a failing example as found, without shrinking it (which can take minutes);
# `make fuzz` shrinks it to the smallest case.
_slow_is_fine = [HealthCheck.too_slow, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "ci",
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_slow_is_fine,
    phases=[Phase.explicit, Phase.generate],
)
hypothesis_settings.register_profile("fuzz", max_examples=2000, deadline=None, suppress_health_check=_slow_is_fine)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    # The interface translations: compile any catalog whose .mo is missing or older than its
    # .po, so a test run needs no `make install` first (`make test` has done it already).
    compile_stale()


def database_url() -> str:
    """A DATABASE_URL for the test database, for subprocesses (workers, servers)."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess that must use the test database."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "tests.settings", **extra}
    env["PYTHONPATH"] = str(BASE_DIR)
    return env


def python() -> str:
    return sys.executable


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"the shared corpora folder is absent ({CORPORA}); hostile-input tests need it")
    return CORPORA


@pytest.fixture(scope="session", autouse=True)
def cache_table(django_db_setup, django_db_blocker) -> None:
    """The shared cache is a database table (rate limits live there); make it in the test database."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def empty_fragments() -> None:
    """Each test starts with no rendered fragments in memory, as a freshly started app server does."""
    from django.core.cache import caches

    caches["fragments"].clear()
