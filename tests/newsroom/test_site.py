import json
import subprocess

from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings

from tests.conftest import BASE_DIR, python, subprocess_env


class HealthzTests(TestCase):
    def test_it_answers_200_when_the_database_answers(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})
        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_answers_503_when_the_database_does_not(self) -> None:
        # A real connection attempt to a port nothing listens on.
        script = (
            "import django; django.setup();"
            "from django.test import Client;"
            "r = Client().get('/healthz');"
            "print(r.status_code, r.content.decode())"
        )
        env = subprocess_env(DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing", DB_CONN_MAX_AGE="0")
        out = subprocess.run(
            [python(), "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
        )
        status, body = out.stdout.strip().split(" ", 1)
        self.assertEqual(status, "503", out.stderr)
        self.assertEqual(json.loads(body)["database"], "unavailable")


class SettingsTests(TestCase):
    def run_settings(self, **env: str) -> subprocess.CompletedProcess:
        environment = subprocess_env(**env)
        for name in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG"):
            if name not in env:
                environment.pop(name, None)
        environment["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
        return subprocess.run(
            [python(), "-c", "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"],
            cwd=BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(self) -> None:
        out = self.run_settings()
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("ImproperlyConfigured", out.stderr)
        self.assertIn("SECRET_KEY is not set", out.stderr)

    def test_it_starts_without_a_secret_key_in_debug(self) -> None:
        out = self.run_settings(DEBUG="true")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "True")

    def test_debug_is_off_unless_set(self) -> None:
        out = self.run_settings(SECRET_KEY="x" * 60)
        self.assertEqual(out.stdout.strip(), "False", out.stderr)

    def test_it_reads_the_secret_key_from_a_file(self) -> None:
        secret = BASE_DIR / ".data" / "test-secret"
        secret.parent.mkdir(exist_ok=True)
        secret.write_text("y" * 60)
        try:
            out = self.run_settings(SECRET_KEY_FILE=str(secret))
        finally:
            secret.unlink()
        self.assertEqual(out.returncode, 0, out.stderr)

    def run_manage(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        environment = subprocess_env(**env)
        for name in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG"):
            if name not in env:
                environment.pop(name, None)
        environment["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
        return subprocess.run(
            [python(), "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
        )

    def test_commands_from_the_checkout_use_the_key_make_run_keeps(self) -> None:
        key_file = BASE_DIR / ".data" / "secret_key"
        made_here = not key_file.exists()
        if made_here:
            key_file.write_text("z" * 60)
        expected = len(key_file.read_text().strip())
        try:
            out = self.run_manage("shell", "-c", "from django.conf import settings; print(len(settings.SECRET_KEY))")
            # A server or script started otherwise still needs SECRET_KEY, key file or not.
            refused = self.run_settings()
        finally:
            if made_here:
                key_file.unlink()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip().splitlines()[-1], str(expected))
        self.assertEqual(out.stderr.count("Using the secret key in"), 1, out.stderr)
        self.assertIn("ImproperlyConfigured", refused.stderr)

    def test_commands_with_a_secret_key_say_nothing_about_the_checkout_key(self) -> None:
        out = self.run_manage("shell", "-c", "print('ok')", SECRET_KEY="p" * 60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertNotIn("Using the secret key in", out.stderr)

    def test_check_deploy_is_clean_with_production_settings(self) -> None:
        env = subprocess_env(
            SECRET_KEY="a-production-secret-" + "k" * 50,
            ALLOWED_HOSTS="news.example.org",
            SECURE_SSL_REDIRECT="true",
            SECURE_COOKIES="true",
            SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
            SECURE_HSTS_PRELOAD="true",
            DJANGO_SETTINGS_MODULE="newsroom.settings",
        )
        env.pop("DEBUG", None)
        out = subprocess.run(
            [python(), "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


class SecurityHeaderTests(TestCase):
    def test_every_response_carries_a_strict_content_security_policy(self) -> None:
        response = self.client.get("/")
        csp = response["Content-Security-Policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["Referrer-Policy"], "strict-origin-when-cross-origin")


class PageTests(TestCase):
    def test_the_home_page_has_landmarks_and_a_skip_link(self) -> None:
        response = self.client.get("/")
        self.assertContains(response, '<a class="skip-link" href="#main">')
        self.assertContains(response, '<main id="main"')
        self.assertContains(response, "<header")
        self.assertContains(response, "<footer")
        self.assertContains(response, '<html lang="en"')

    def test_unknown_pages_get_the_sites_404(self) -> None:
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, '<main id="main"', status_code=404)

    @override_settings(ROOT_URLCONF="tests.newsroom.urls_broken")
    def test_server_errors_get_the_sites_500(self) -> None:
        self.client.raise_request_exception = False
        response = self.client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong", status_code=500)
        self.assertNotContains(response, "Traceback", status_code=500)

    def test_robots_txt_keeps_crawlers_out_of_the_admin(self) -> None:
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertContains(response, "Disallow: /admin/")


class SiteChromeTests(TestCase):
    def test_the_header_links_marked_topics_and_active_columns_and_searches_once(self) -> None:
        from tests.factories import make_column, make_tag

        make_tag(name="Peacekeeping", slug="peacekeeping", is_section=True)
        make_tag(name="Not a section", slug="quiet")
        make_column(name="Corridor Moves", slug="corridor-moves")
        make_column(name="Retired column", slug="retired", is_active=False)
        response = self.client.get("/")
        nav = response.content.decode().split('class="site-nav"')[1].split("</nav>")[0]
        self.assertIn('href="/tag/peacekeeping/"', nav)
        self.assertIn('href="/column/corridor-moves/"', nav)
        self.assertNotIn("quiet", nav)
        self.assertNotIn("retired", nav)
        self.assertContains(response, 'role="search"', count=1)

    def test_the_footer_links_about_corrections_newsletters_feeds_and_privacy(self) -> None:
        response = self.client.get("/")
        footer = response.content.decode().split('class="site-footer"')[1]
        for href in (
            "/info/about/",
            "/info/about/#contact",
            "/corrections/",
            "/newsletter/",
            "/feed/",
            "/info/privacy/",
        ):
            self.assertIn(f'href="{href}"', footer)

    @override_settings(SITE_NAME="The Blue Desk", SITE_TAGLINE="Reporting from First Avenue")
    def test_the_site_identity_comes_from_settings(self) -> None:
        response = self.client.get("/info/about/")
        self.assertContains(response, "The Blue Desk", status_code=200)
        self.assertContains(response, "Reporting from First Avenue")
        self.assertContains(response, 'rel="apple-touch-icon"')

    @override_settings(SITE_CONTACT_EMAIL="desk@news.example.org")
    def test_the_about_page_gives_the_contact_address(self) -> None:
        self.assertContains(self.client.get("/info/about/"), 'href="mailto:desk@news.example.org"')

    def test_the_privacy_page_says_what_is_kept(self) -> None:
        response = self.client.get("/info/privacy/")
        self.assertContains(response, 'id="comments"')
        self.assertContains(response, "sets no cookie")

    def test_the_admin_names_the_newsroom_not_django(self) -> None:
        response = self.client.get("/admin/login/")
        self.assertContains(response, "Newsroom administration")
        self.assertNotContains(response, "Django administration")

    def test_the_admin_names_the_newsroom_in_the_editors_language(self) -> None:
        response = self.client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, "<title>Connexion | Administration de Newsroom</title>", html=True)
        self.assertContains(
            self.client.get("/admin/login/"), "<title>Log in | Newsroom administration</title>", html=True
        )


@override_settings(ROOT_URLCONF="tests.newsroom.urls_broken")
class DatabaseErrorPageTests(SimpleTestCase):
    """Against the real database, in autocommit as requests run: which database errors are a 503."""

    databases = {"default"}

    def setUp(self) -> None:
        self.client.raise_request_exception = False

    def tearDown(self) -> None:
        connection.close()  # the next test starts from a fresh connection, without the timeout

    def test_a_request_whose_connection_was_cut_off_answers_503_though_the_database_is_back(self) -> None:
        response = self.client.get("/cut-off/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "10")
        self.assertContains(response, "Back in a moment", status_code=503)

    def test_a_query_that_times_out_is_a_500(self) -> None:
        with self.assertLogs("django.request", "ERROR"):
            response = self.client.get("/too-slow/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong", status_code=500)
