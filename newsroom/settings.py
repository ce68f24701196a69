"""Newsroom's settings: the one module that reads the environment.

Every variable is documented in README.md and `.env.example`. Defaults are the
safe choice: DEBUG off, secure cookies on, no secret key invented in production.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd secrets)."""
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return env(name, default)


DEBUG = env_bool("DEBUG")

SECRET_KEY = env_secret("SECRET_KEY")
# `make run` keeps a key in .data/secret_key. manage.py commands run from the checkout
# afterwards (createsuperuser, import_wordpress...) use it too when no key is set (issue 15);
# anything else, a production server included, still needs SECRET_KEY or SECRET_KEY_FILE.
CHECKOUT_SECRET_KEY_FILE = BASE_DIR / ".data" / "secret_key"
if not SECRET_KEY and not DEBUG and Path(sys.argv[0]).name == "manage.py" and CHECKOUT_SECRET_KEY_FILE.is_file():
    SECRET_KEY = CHECKOUT_SECRET_KEY_FILE.read_text().strip()
    print(f"Using the secret key in {CHECKOUT_SECRET_KEY_FILE} (SECRET_KEY is not set).", file=sys.stderr)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) to a long random "
            "string, or set DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "Newsroom")
# Interviewers' label in Q&A, "NEWSROOM:" by default.
SITE_SHORT_NAME = env("SITE_SHORT_NAME", SITE_NAME)
# The line under the name in the header and footer, and the home page's description.
SITE_TAGLINE = env("SITE_TAGLINE", "Independent reporting on the United Nations and world affairs")
# A logo shown beside the name in the header: a static file's path, e.g. img/logo.svg.
SITE_LOGO = env("SITE_LOGO", "")
# Where readers write to the newsroom; shown on the about page and in the footer.
SITE_CONTACT_EMAIL = env("SITE_CONTACT_EMAIL", "")

INSTALLED_APPS = [
    "newsroom.adminsite.NewsroomAdminConfig",  # django.contrib.admin with our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "taggit",
    "django_tasks_db",
    # Static files only: the bundled ProseMirror/Tiptap editor under the article body editor.
    "django_prose_editor",
    # Triggers declared in models' Meta.triggers, installed by migrations (lib/triggers.py).
    "pgtrigger",
    "newsroom",
    "articles",
    "comments",
    "newsletter",
    "wordpress",
    "donations",
]

MIDDLEWARE = [
    # HEAD gets GET's headers and no body, whatever the view or server (issue 12).
    "newsroom.middleware.HeadResponseMiddleware",
    # Cache-Control, Surrogate-Key and Cache-Tag for shared caches; no cookie on shared pages (issue #17).
    "lib.cache.SharedCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the address or the database (issue #14): NUL in a URL is a 400,
    # and while PostgreSQL is unreachable pages answer 503 (static files still work).
    "lib.nul.RefuseNulMiddleware",
    "newsroom.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the URL alone on reader pages, without Vary (issue 20).
    "newsroom.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Old WordPress links (?p=123, /?page_id=...) and editors' redirects, looked up only on a 404.
    "newsroom.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or the private cluster under .data/ (see devtools/devdb.py).
DATABASE_URL = env_secret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    from devtools import devdb

    devdb.ensure_running()
    DATABASES = {"default": devdb.database_settings()}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Streaming replicas (issue #18, newsroom/replicas.py): anonymous readers' GETs read from one;
# writes, staff, sessions, tasks and transactions use the primary. Comma-separated URLs.
REPLICA_DATABASES: list[str] = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    alias = f"replica{number}"
    DATABASES[alias] = dj_database_url.parse(url)
    DATABASES[alias].update(CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"], CONN_HEALTH_CHECKS=True)
    # A replica that does not answer must not hold a reader for long: the primary serves instead.
    DATABASES[alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
    REPLICA_DATABASES.append(alias)
# A reader who posted something reads from the primary for this many seconds (the nr_primary cookie).
DATABASE_PIN_SECONDS = env_int("DATABASE_PIN_SECONDS", 15)
# A replica further behind than this many seconds is not read from; checked at most this often per process.
DATABASE_REPLICA_MAX_LAG = float(env("DATABASE_REPLICA_MAX_LAG", "10") or 10)
DATABASE_REPLICA_CHECK_SECONDS = float(env("DATABASE_REPLICA_CHECK_SECONDS", "3") or 3)
# PgBouncer in transaction mode (or any pooler that hands each transaction a different server
# connection): "pgbouncer" turns off server-side cursors, which live across transactions.
DATABASE_POOLER = env("DATABASE_POOLER").strip().lower()
if DATABASE_POOLER not in {"", "none", "pgbouncer"}:
    raise ImproperlyConfigured(f"DATABASE_POOLER must be empty or 'pgbouncer', not {DATABASE_POOLER!r}.")
if DATABASE_POOLER == "pgbouncer":
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared by every app server. Redis when REDIS_URL is set, otherwise a
# table in PostgreSQL, so rate limits and cached lists hold across servers
# without another service to run.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "newsroom_cache"}}
# Rendered fragments (an article's own content, its related stories, most read, comment
# sections) live in each app server's memory, not in the shared cache: their keys carry
# version numbers PostgreSQL changes with the content (see articles/rendering.py), so no
# server ever needs telling to drop one, and a hit costs no query. A restart empties them.
CACHES["fragments"] = {
    "BACKEND": "lib.fragments.FragmentCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_CACHE_ENTRIES", 1000)},
}

# Background work: the queue is a table in PostgreSQL (django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A RUNNING task whose worker has sent no heartbeat for this long is re-queued.
WORKER_STALE_AFTER = env_int("WORKER_STALE_AFTER", 60)
WORKER_HEARTBEAT_INTERVAL = env_int("WORKER_HEARTBEAT_INTERVAL", 10)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
# Transactional e-mails (sign-up and comment confirmations, reply notifications) while the SMTP
# server is unreachable: first retry after MAIL_RETRY_DELAY seconds, doubling up to an hour.
MAIL_RETRY_DELAY = env_int("MAIL_RETRY_DELAY", 30)
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 12)

# Mail, through Django 6.1's MAILERS.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env("EMAIL_HOST_USER"),
            "password": env_secret("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "timeout": env_int("EMAIL_TIMEOUT", 30),
        },
    }
}
if MAILERS["default"]["BACKEND"] != "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages the site publishes in (issue 20), each one of the six official
# languages of the UN. The default language keeps unprefixed URLs; the others live
# under /<code>/. Articles carry one of these as their language.
UN_LANGUAGES = {
    "en": _("English"),
    "fr": _("French"),
    "es": _("Spanish"),
    "ar": _("Arabic"),
    "zh": _("Chinese"),
    "ru": _("Russian"),
}
LANGUAGE_CODE = env("LANGUAGE_CODE", "en").strip().lower()
_offered_languages = [code.lower() for code in env_list("NEWSROOM_LANGUAGES", "en,fr,es,ar,zh,ru")]
if unknown := [code for code in _offered_languages if code not in UN_LANGUAGES]:
    raise ImproperlyConfigured(
        f"NEWSROOM_LANGUAGES names {', '.join(unknown)}: each must be one of {', '.join(UN_LANGUAGES)}."
    )
if LANGUAGE_CODE not in UN_LANGUAGES:
    raise ImproperlyConfigured(f"LANGUAGE_CODE is {LANGUAGE_CODE!r}: it must be one of {', '.join(UN_LANGUAGES)}.")
if LANGUAGE_CODE not in _offered_languages:
    # The default language is always offered: its pages are the unprefixed URLs.
    _offered_languages.insert(0, LANGUAGE_CODE)
LANGUAGES = [(code, UN_LANGUAGES[code]) for code in dict.fromkeys(_offered_languages)]
LANGUAGES_BIDI = ["ar"]
# Formats for the languages Django knows under another code (Chinese: zh-hans).
FORMAT_MODULE_PATH = ["newsroom.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Serve uploaded media from Django itself (make run); off behind a reverse proxy
# that serves MEDIA_ROOT directly.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded photos and their renditions (issue #18): "filesystem" keeps them under MEDIA_ROOT
# (shared storage when there are several app servers and workers), "s3" in a bucket of any
# S3-compatible service through django-storages. Credentials may also come from boto3's usual
# places (AWS_* variables, an instance role) when AWS_ACCESS_KEY_ID is unset.
MEDIA_STORAGE = env("MEDIA_STORAGE", "filesystem").strip().lower()
MEDIA_ORIGIN = ""  # where media URLs point when not on this site; added to the CSP's img-src
if MEDIA_STORAGE == "s3":
    if not env("MEDIA_S3_BUCKET"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET, the bucket's name.")
    MEDIA_S3_ENDPOINT_URL = env("MEDIA_S3_ENDPOINT_URL").rstrip("/")
    MEDIA_S3_CUSTOM_DOMAIN = env("MEDIA_S3_CUSTOM_DOMAIN")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("MEDIA_S3_BUCKET"),
            "endpoint_url": MEDIA_S3_ENDPOINT_URL or None,
            "region_name": env("MEDIA_S3_REGION") or None,
            "access_key": env_secret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY") or None,
            "custom_domain": MEDIA_S3_CUSTOM_DOMAIN or None,
            "location": env("MEDIA_S3_PREFIX"),
            # Pages are cached whole for minutes: signed URLs would expire inside them.
            "querystring_auth": False,
            "default_acl": env("MEDIA_S3_ACL") or None,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            "addressing_style": "path" if MEDIA_S3_ENDPOINT_URL else None,
        },
    }
    if MEDIA_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGIN = f"https://{MEDIA_S3_CUSTOM_DOMAIN}"
    elif MEDIA_S3_ENDPOINT_URL:
        MEDIA_ORIGIN = "/".join(MEDIA_S3_ENDPOINT_URL.split("/")[:3])
    else:
        MEDIA_ORIGIN = "https://*.amazonaws.com"
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}.")

HOST = env("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000)

# Security headers. Cookies are secure whenever DEBUG is off; set
# SECURE_SSL_REDIRECT=false only when a proxy in front already redirects.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies whose X-Forwarded-For is believed (comma-separated addresses or ranges).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Strict CSP: no inline scripts or styles anywhere; nonces only where unavoidable.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # The donate form and the monthly donors' manage page redirect to Stripe Checkout and its portal.
    "form-action": [CSP.SELF, "https://checkout.stripe.com", "https://billing.stripe.com"],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

TAGGIT_CASE_INSENSITIVE = True

# make bench: serve devtools/bench_urls.py, the site's URLs plus a minimal view
# the benchmark measures pages against. Off by default; never set in production.
if env_bool("BENCH_URLCONF"):
    ROOT_URLCONF = "devtools.bench_urls"

# Photo uploads (articles/images.py): the largest file and the most pixels an
# upload may have. Anything bigger is refused before it is decoded.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000)

# Reader comments (issue #6). See README "Reader comments".
# "pre": every comment waits for a moderator; "trust": a confirmed e-mail with
# COMMENTS_TRUST_AFTER approved comments is approved automatically.
COMMENTS_MODERATION = env("COMMENTS_MODERATION", "pre")
COMMENTS_TRUST_AFTER = env_int("COMMENTS_TRUST_AFTER", 3)
# Comments close this many days after publication (0: never).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 30)
COMMENTS_REPORTS_TO_HOLD = env_int("COMMENTS_REPORTS_TO_HOLD", 3)
COMMENTS_POSTS_PER_HOUR = env_int("COMMENTS_POSTS_PER_HOUR", 10)
COMMENTS_VOTES_PER_HOUR = env_int("COMMENTS_VOTES_PER_HOUR", 200)
# The comment form's signed time is when its page was rendered, which a shared HTTP
# cache then serves for a while: the maximum age must stay well above s-maxage plus
# the stale times (README: "Forms on cached pages"). Both only hold a comment.
COMMENTS_MIN_SECONDS = env_int("COMMENTS_MIN_SECONDS", 3)
COMMENTS_MAX_FORM_AGE = env_int("COMMENTS_MAX_FORM_AGE", 2 * 24 * 3600)
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)
# Classifier scores (calibrated probabilities of spam) from which a comment is filed as
# spam, and from which it is held for a moderator (see the README's spam classifier).
try:
    COMMENTS_SPAM_THRESHOLD = float(env("COMMENTS_SPAM_THRESHOLD", "0.9"))
    COMMENTS_HOLD_THRESHOLD = float(env("COMMENTS_HOLD_THRESHOLD", "0.3"))
except ValueError as error:
    raise ImproperlyConfigured(
        f"COMMENTS_SPAM_THRESHOLD and COMMENTS_HOLD_THRESHOLD must be numbers: {error}"
    ) from None
if not 0 <= COMMENTS_HOLD_THRESHOLD <= COMMENTS_SPAM_THRESHOLD <= 1:
    raise ImproperlyConfigured(
        "COMMENTS_HOLD_THRESHOLD and COMMENTS_SPAM_THRESHOLD are classifier scores: set them so that "
        f"0 <= hold <= spam <= 1 (they are {COMMENTS_HOLD_THRESHOLD} and {COMMENTS_SPAM_THRESHOLD})."
    )
# What erasure does to a commenter's text: "keep" (shown as by "a former reader") or "remove".
COMMENTS_ERASE_TEXT = env("COMMENTS_ERASE_TEXT", "keep")
COMMENTS_DIGEST_TO = env_list("COMMENTS_DIGEST_TO")
AKISMET_API_KEY = env_secret("AKISMET_API_KEY")

# Moving from WordPress (issue 8). Uploaded exports hold readers' e-mail and IP
# addresses, so they are kept in a private folder, never under MEDIA_ROOT.
# WORDPRESS_MEDIA_DIR is a copy of the old site's wp-content/uploads that imports
# started from the admin take images from (the command has --media-dir).
WORDPRESS_IMPORT_DIR = Path(env("WORDPRESS_IMPORT_DIR", str(BASE_DIR / ".data" / "wordpress-imports")))
WORDPRESS_MEDIA_DIR = env("WORDPRESS_MEDIA_DIR", "")
# --- Editorial workflow: staff login security (see README, "Editorial workflow") ---
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE += [
    "django_otp.middleware.OTPMiddleware",
    "newsroom.twofactor.StaffOTPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the 429 response.
    "axes.middleware.AxesMiddleware",
]
if REPLICA_DATABASES:
    DATABASE_ROUTERS = ["newsroom.replicas.ReplicaRouter"]
    # Before anything reads the database, after the session cookie could be read from the request.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("newsroom.outage.DatabaseOutageMiddleware"), "newsroom.replicas.ReplicaMiddleware"
    )
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Password guessing: after LOGIN_FAILURE_LIMIT failures for one user name from one address,
# that pair is locked out for LOGIN_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Guessing from many addresses (newsroom/loginlimit.py): after LOGIN_ACCOUNT_FAILURE_LIMIT wrong passwords
# for one account within an hour, browsers it never signed in from get one try per LOGIN_ACCOUNT_DELAY seconds.
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
LOGIN_ACCOUNT_DELAY = env_int("LOGIN_ACCOUNT_DELAY", 60)
# Failed logins count against the proxy-aware client address, as rate limits do.
AXES_CLIENT_IP_CALLABLE = "lib.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Time-based one-time passwords (an authenticator app) required for every staff account.
STAFF_REQUIRE_OTP = env_bool("STAFF_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = SITE_NAME
# Newsletter (issue #7): double opt-in, campaigns sent by the background worker.
# The task backend that sends campaigns and confirmation e-mails.
NEWSLETTER_TASK_BACKEND = env("NEWSLETTER_TASK_BACKEND", "default")
# The MAILERS alias newsletter mail goes through.
NEWSLETTER_MAILER = env("NEWSLETTER_MAILER", "default")
# Messages per second across all workers sending one campaign (0: as fast as SMTP takes them).
NEWSLETTER_SEND_RATE = float(env("NEWSLETTER_SEND_RATE", "0") or 0)
# How many worker tasks share one campaign.
NEWSLETTER_SEND_TASKS = env_int("NEWSLETTER_SEND_TASKS", 2)
# SMTP sessions each sending task keeps busy at once (threads); lower it for providers that limit connections.
NEWSLETTER_SEND_CONNECTIONS = env_int("NEWSLETTER_SEND_CONNECTIONS", 4)
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 100)
# A run hands over to a fresh task after this many seconds, so pauses and deploys bite quickly.
NEWSLETTER_RUN_SECONDS = env_int("NEWSLETTER_RUN_SECONDS", 600)
# Rows a dead worker left claimed/sending are resolved after this many seconds (see README).
NEWSLETTER_STALE_AFTER = env_int("NEWSLETTER_STALE_AFTER", 120)
# Temporary SMTP failures: first retry after this many seconds, doubling; give up after N attempts.
NEWSLETTER_RETRY_DELAY = env_int("NEWSLETTER_RETRY_DELAY", 60)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 5)
# Double opt-in: the confirmation link's lifetime, and at most one confirmation e-mail per address per interval.
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", 3 * 24 * 3600)
NEWSLETTER_CONFIRM_INTERVAL = env_int("NEWSLETTER_CONFIRM_INTERVAL", 3600)
# Sign-ups per client address per hour.
NEWSLETTER_SIGNUP_RATE = env_int("NEWSLETTER_SIGNUP_RATE", 10)
# The address of mailto: unsubscribe requests (List-Unsubscribe); empty: DEFAULT_FROM_EMAIL's.
NEWSLETTER_UNSUBSCRIBE_MAILTO = env("NEWSLETTER_UNSUBSCRIBE_MAILTO")
# Bounce and complaint webhooks (issue #7) through django-anymail, only when ANYMAIL_ESP
# names the provider ("postmark", "mailgun", "sendgrid", "amazon_ses"...). Sending stays on
# our SMTP path; anymail only turns the provider's webhook posts into one `tracking` signal.
ANYMAIL_ESP = env("ANYMAIL_ESP").strip().lower()
if ANYMAIL_ESP:
    # "user:password" the provider sends as HTTP basic auth. Without it anymail would accept
    # posts from anyone, so a configured provider without a secret refuses to start.
    ANYMAIL = {"WEBHOOK_SECRET": env_secret("ANYMAIL_WEBHOOK_SECRET")}
    if ":" not in ANYMAIL["WEBHOOK_SECRET"]:
        raise ImproperlyConfigured("ANYMAIL_ESP is set: set ANYMAIL_WEBHOOK_SECRET to a random user:password.")
    # The app only registers anymail's checks of insecure settings.
    INSTALLED_APPS += ["anymail"]
# Donations (issue #21): Stripe Checkout, webhooks, receipts. See README "Donations".
# With no secret key the donate page says donations are not configured.
STRIPE_SECRET_KEY = env_secret("STRIPE_SECRET_KEY")
# The signing secret of the webhook endpoint at /donate/stripe/webhook/ ("whsec_...").
STRIPE_WEBHOOK_SECRET = env_secret("STRIPE_WEBHOOK_SECRET")
# Only tests point this elsewhere (a local fake of Stripe's API).
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com")
# Webhook posts signed longer ago than this many seconds are refused as replays.
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
# ISO 4217 code, lower case as Stripe writes it; gifts are stored in its minor units.
DONATIONS_CURRENCY = env("DONATIONS_CURRENCY", "usd").strip().lower()
# Suggested amounts on the donate page, in whole units of the currency.
DONATIONS_SUGGESTED_AMOUNTS = [int(a) for a in env_list("DONATIONS_SUGGESTED_AMOUNTS", "25,50,100,250")]
DONATIONS_MIN_AMOUNT = env_int("DONATIONS_MIN_AMOUNT", 5)
DONATIONS_MAX_AMOUNT = env_int("DONATIONS_MAX_AMOUNT", 25000)
# Printed on receipts: the legal name and address, and what the gift means for tax.
DONATIONS_ORGANISATION = env("DONATIONS_ORGANISATION", SITE_NAME)
DONATIONS_ORGANISATION_ADDRESS = env("DONATIONS_ORGANISATION_ADDRESS")
DONATIONS_TAX_STATEMENT = env("DONATIONS_TAX_STATEMENT")
# The task backend (a TASKS alias) that applies Stripe's events and sends receipts.
DONATIONS_TASK_BACKEND = env("DONATIONS_TASK_BACKEND", "default")
# Donate form posts per client address per hour.
DONATIONS_RATE = env_int("DONATIONS_RATE", 20)
# Seconds each app server keeps the campaign banner, progress bar and prompts before reading them again.
DONATIONS_FRAGMENT_SECONDS = env_int("DONATIONS_FRAGMENT_SECONDS", 60)
# Seconds the signed "manage your monthly gift" link in e-mails keeps working.
DONATIONS_MANAGE_LINK_MAX_AGE = env_int("DONATIONS_MANAGE_LINK_MAX_AGE", 400 * 24 * 3600)
# The shared page cache in front of the site (issue #17). See README "How pages are cached".
# Browsers keep a reader page CACHE_MAX_AGE seconds (0: they ask the shared cache again on every visit,
# so a reader who just commented, voted or saw a correction never gets an older copy from their own
# browser); shared caches (Varnish, a CDN) keep it CACHE_S_MAXAGE,
# serving it stale for CACHE_STALE_WHILE_REVALIDATE seconds while they fetch a fresh copy, and for
# CACHE_STALE_IF_ERROR seconds while the site is down. Purges by key make changes show at once.
CACHE_MAX_AGE = env_int("CACHE_MAX_AGE", 0)
CACHE_S_MAXAGE = env_int("CACHE_S_MAXAGE", 600)
CACHE_STALE_WHILE_REVALIDATE = env_int("CACHE_STALE_WHILE_REVALIDATE", 60)
CACHE_STALE_IF_ERROR = env_int("CACHE_STALE_IF_ERROR", 86400)
# A 404 is kept this long by shared caches (a scheduled story's address: never past its publish time).
CACHE_404_S_MAXAGE = env_int("CACHE_404_S_MAXAGE", 60)
# Request cookies that make a page private to its reader: a signed-in session, pending comments,
# messages, the reader's votes. The shipped Varnish configuration bypasses on the same cookies.
CACHE_PRIVATE_COOKIES = env_list("CACHE_PRIVATE_COOKIES", "sessionid,nr_pending,nr_primary,messages,nr_reader")
# Where purges go: none, varnish, fastly or cloudflare.
CACHE_PURGE_BACKEND = env("CACHE_PURGE_BACKEND", "none").strip().lower()
if CACHE_PURGE_BACKEND not in {"none", "varnish", "fastly", "cloudflare"}:
    raise ImproperlyConfigured("CACHE_PURGE_BACKEND must be none, varnish, fastly or cloudflare.")
# Every Varnish server's address (comma-separated), e.g. http://10.0.0.5:6081; each gets every ban.
CACHE_VARNISH_URLS = env_list("CACHE_VARNISH_URLS", "http://127.0.0.1:6081")
CACHE_FASTLY_SERVICE_ID = env("CACHE_FASTLY_SERVICE_ID")
CACHE_FASTLY_API_TOKEN = env_secret("CACHE_FASTLY_API_TOKEN")
CACHE_FASTLY_API = env("CACHE_FASTLY_API", "https://api.fastly.com").rstrip("/")
# Soft purges mark pages stale (served while refetched, or while the site is down) rather than deleting them.
CACHE_FASTLY_SOFT_PURGE = env_bool("CACHE_FASTLY_SOFT_PURGE", True)
CACHE_CLOUDFLARE_ZONE_ID = env("CACHE_CLOUDFLARE_ZONE_ID")
CACHE_CLOUDFLARE_API_TOKEN = env_secret("CACHE_CLOUDFLARE_API_TOKEN")
CACHE_CLOUDFLARE_API = env("CACHE_CLOUDFLARE_API", "https://api.cloudflare.com/client/v4").rstrip("/")
CACHE_CLOUDFLARE_TAGS_PER_REQUEST = env_int("CACHE_CLOUDFLARE_TAGS_PER_REQUEST", 100)
if CACHE_PURGE_BACKEND == "fastly" and not (CACHE_FASTLY_SERVICE_ID and CACHE_FASTLY_API_TOKEN):
    raise ImproperlyConfigured("CACHE_PURGE_BACKEND=fastly needs CACHE_FASTLY_SERVICE_ID and CACHE_FASTLY_API_TOKEN.")
if CACHE_PURGE_BACKEND == "cloudflare" and not (CACHE_CLOUDFLARE_ZONE_ID and CACHE_CLOUDFLARE_API_TOKEN):
    raise ImproperlyConfigured(
        "CACHE_PURGE_BACKEND=cloudflare needs CACHE_CLOUDFLARE_ZONE_ID and CACHE_CLOUDFLARE_API_TOKEN."
    )
# The task backend (a TASKS alias) that runs purges that failed or wait for a publish time.
CACHE_TASK_BACKEND = env("CACHE_TASK_BACKEND", "default")
# More keys than this in one purge: the site-wide key instead (a bulk import, a rename that touches everything).
CACHE_PURGE_ALL_OVER = env_int("CACHE_PURGE_ALL_OVER", 500)
