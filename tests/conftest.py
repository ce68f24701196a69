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
    # Under pytest-xdist only the controller compiles, before it starts the workers: workers
    # writing the same .mo files at once could read each other's half-written files.
    if not hasattr(config, "workerinput"):
        compile_stale()


# The slowest tests, slowest first: run in parallel (`make test`), they start first, each on a
# worker of its own, so that the short tests fill the other workers around them instead of one
# of them being left running alone at the end. `--dist loadscope --no-loadscope-reorder` hands
# out modules and classes in this order. The times are wall times on the 2-core machine, busy.
SLOW_FIRST = [
    "tests/browser/test_discovery.py",  # 4 to 8 minutes: the validators and axe over every page
    "tests/newsroom/test_cluster.py",  # 3 to 7 minutes: a whole throwaway cluster
    "tests/newsletter/test_sending_worker.py",  # workers killed again and again mid-campaign
    "tests/newsroom/test_database_outage.py",  # a throwaway PostgreSQL stopped and started
    "tests/comments/test_hostile_input.py",
    "tests/articles/test_demo.py",  # loads the demo newsroom, once per class
    "tests/browser/test_page_design.py",
    "tests/articles/test_body_document.py",
    "tests/browser/test_languages.py",
    "tests/newsroom/test_hostile_content.py",
    "tests/browser/",
    "tests/newsroom/test_varnish.py",
    "tests/newsroom/test_pgbouncer.py",
    "tests/newsroom/test_worker.py",
    "tests/articles/test_media_s3.py",
    "tests/wordpress/test_import_wordpress.py",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((n for n, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: the order within a module, and of everything else, is kept


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
    from django.db.models.signals import post_migrate

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
    post_migrate.connect(restore_after_flush, dispatch_uid="tests.restore_after_flush")


def restore_after_flush(sender, app_config, using: str = "default", **kwargs) -> None:
    """Put back what a transactional test's flush took, before the next test runs.

    A transactional test (live servers, workers, browsers) ends by emptying every table, and the
    flush then sends post_migrate. Run serially, pytest-django runs such tests after all the
    others; run in parallel with the slowest first, a worker goes on to ordinary tests after one.
    They need the role groups the data migrations made, and a shared cache (a table the flush
    leaves alone) holding nothing that an earlier test's committed data put there.
    """
    from django.apps import apps
    from django.core.cache import caches

    from newsroom.roles import ensure_roles

    if using != "default" or app_config is not list(apps.get_app_configs())[-1]:
        return  # once per flush, after every app's own post_migrate work
    ensure_roles()
    caches["default"].clear()


@pytest.fixture(autouse=True)
def empty_fragments() -> None:
    """Each test starts with no rendered fragments in memory, as a freshly started app server does."""
    from django.core.cache import caches

    caches["fragments"].clear()
