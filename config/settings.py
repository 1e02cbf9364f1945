"""Aftersales settings: one module, driven by the environment (see .env.example).

AFTERSALES_ENV=local (the default) is a developer's machine: SQLite under var/, a secret key
generated once into var/, DEBUG on, jobs on a SQLite queue. AFTERSALES_ENV=production demands
SECRET_KEY and ALLOWED_HOSTS, turns DEBUG off and every HTTPS protection on.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("AFTERSALES_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = env_str("AFTERSALES_ENV", "local")
if ENVIRONMENT not in {"local", "production"}:
    raise ImproperlyConfigured("AFTERSALES_ENV must be 'local' or 'production'")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when AFTERSALES_ENV=production")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "treebeard",
    "simple_history",
    "huey.contrib.djhuey",
    # Our apps, upstream first (see docs/architecture.md for the dependency rule).
    "aftersales.core",
    "aftersales.organisation",
    "aftersales.calendars",
    "aftersales.accounts",
    "aftersales.catalog",
    "aftersales.customers",
    "aftersales.installed_base",
    "aftersales.notifications",
    "aftersales.contracts",
    "aftersales.service_requests",
    "aftersales.stock",
    "aftersales.work_orders",
    "aftersales.field_service",
    "aftersales.inbox",
    "aftersales.telephony",
    "aftersales.portal",
    "aftersales.search",
    "aftersales.imports",
    "aftersales.api",
    "aftersales.dashboard",
    "aftersales.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "aftersales.accounts.middleware.SessionLimitsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aftersales.accounts.middleware.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftersales.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------
# SQLite by default (a file under var/); DATABASE_URL=postgres://… in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}",
        # Reusing connections: +12–31% API throughput in bench/ on PostgreSQL.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or ""}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, its health check without a round trip (see the module).
    DATABASES["default"]["ENGINE"] = "aftersales.core.postgresql"
    # A statement is prepared the second time it runs on a connection, where a cursor allows
    # it: only those run through `core.compiled`'s `server_bound_cursor(prepare=None)` or
    # `prepared_cursor` (the queue pages, a registration's reads and inserts, a notification's
    # insert); Django's own cursors bind on the client and never prepare. None (Django's
    # default) prepares nothing.
    # Added to the URL's own options (sslmode=…), which replacing them would drop.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, sessions, passwords ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["aftersales.accounts.backends.PositionBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Idle limit: the cookie's age is renewed on every request. Absolute limit: enforced by
# SessionLimitsMiddleware from the login time stored in the session.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 2 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Login throttling (aftersales.accounts.throttle): failures per account and per client address
# within the window. The address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT proxies are declared,
# so a forged X-Forwarded-For cannot open a fresh budget.
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Security headers ----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the operator's domain, not the application's.
    "security.W021",
]

# --- Languages -----------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("ru", "Русский"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
# Phone numbers typed without a country code are read in these regions, the home one first.
PHONE_REGIONS = [r.upper() for r in env_list("PHONE_REGIONS", ["CN", "RU", "HK", "TW"])]
# Telephony: the unit (its code) whose agents take calls to a number that is no phone line
# (empty: the root unit), and how long a call may wait to pop up on an agent's screen.
TELEPHONY_DEFAULT_UNIT = env_str("TELEPHONY_DEFAULT_UNIT", "")
TELEPHONY_POP_SECONDS = env_int("TELEPHONY_POP_SECONDS", 120)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION

# --- Static and uploaded files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or VAR_DIR / "private")
STORAGES = {
    # FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage (django-storages) in production,
    # configured by its own AWS_* variables.
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND") or "django.core.files.storage.FileSystemStorage"
    },
    # Files only some users may read (request attachments): outside the web root, no URL;
    # served by views that check permissions (aftersales/core/files.py).
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Counts form fields only, never the files of a multipart upload: uploads above
# FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file, whatever their size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest spreadsheet an import accepts (aftersales/imports); bigger ones are refused.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 100 * 1024 * 1024)
# The largest file a request accepts (any channel: agent, portal, e-mail, API).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
# The unit that serves customers who sign up on the portal and are not on file yet (its code);
# empty: the root unit.
PORTAL_UNIT_CODE = env_str("PORTAL_UNIT_CODE", "")

# --- E-mail --------------------------------------------------------------------------------------
# Django 6.1 MAILERS. Locally mail goes to the console; in production to the SMTP server given.
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "use_ssl": env_bool("EMAIL_USE_SSL", False),
    "timeout": env_int("EMAIL_TIMEOUT", 30),
}
_MAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend"
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _MAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "aftersales@localhost")
# Links in e-mails start with this (the address users and customers reach the site at).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Inbound e-mail (aftersales/inbox) -----------------------------------------------------------
# Messages arrive piped by the mail server (`manage.py receive_email`) or by polling an IMAP
# mailbox (job aftersales.inbox.jobs.poll_mailbox, every 2 minutes; off while no host is set).
INBOX_IMAP_HOST = env_str("INBOX_IMAP_HOST", "")
INBOX_IMAP_SSL = env_bool("INBOX_IMAP_SSL", True)
INBOX_IMAP_PORT = env_int("INBOX_IMAP_PORT", 993 if INBOX_IMAP_SSL else 143)
INBOX_IMAP_USER = env_str("INBOX_IMAP_USER", "")
INBOX_IMAP_PASSWORD = env_str("INBOX_IMAP_PASSWORD", "")
INBOX_IMAP_FOLDER = env_str("INBOX_IMAP_FOLDER", "INBOX")
# Messages fetched per run at most (the rest wait, unseen, for the next run).
INBOX_IMAP_BATCH = env_int("INBOX_IMAP_BATCH", 100)
# Where messages that reach no request are kept and new customers from e-mail are served (a unit
# code; empty: the root unit); the request type of requests opened by e-mail (a type code; empty:
# the first active type that asks no required question).
INBOX_UNIT_CODE = env_str("INBOX_UNIT_CODE", "")
INBOX_REQUEST_TYPE = env_str("INBOX_REQUEST_TYPE", "")
# Bounded reading: a message beyond any of these is kept and quarantined, never parsed further.
INBOX_MAX_MESSAGE_BYTES = env_int("INBOX_MAX_MESSAGE_BYTES", 100 * 1024 * 1024)
INBOX_MAX_DEPTH = env_int("INBOX_MAX_DEPTH", 20)
INBOX_MAX_PARTS = env_int("INBOX_MAX_PARTS", 200)
INBOX_MAX_ENCODED_WORDS = env_int("INBOX_MAX_ENCODED_WORDS", 1000)

# --- Background jobs -----------------------------------------------------------------------------
# Job code is written against django.tasks; Huey runs it. HUEY_URL picks the queue:
# sqlite:///path (embedded, the default: no server needed) or redis://host:port/db (production,
# consumers on as many machines as needed). HUEY_IMMEDIATE=1 runs jobs inline (tests).
HUEY_URL = env_str("HUEY_URL") or f"sqlite:///{VAR_DIR / 'jobs.sqlite3'}"
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if HUEY_URL.startswith("redis"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "aftersales"),
        "url": HUEY_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 4), "worker_type": "thread"},
    }
elif HUEY_URL.startswith("sqlite:///"):
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "aftersales"),
        "filename": HUEY_URL.removeprefix("sqlite:///"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    raise ImproperlyConfigured("HUEY_URL must start with redis:// or sqlite:///")
TASKS = {
    "default": {
        "BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend",
        "OPTIONS": {"enqueue_on_commit": True},
    }
}

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aftersales.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["aftersales.api.permissions.PositionModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "aftersales.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aftersales.api.errors.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aftersales API",
    "DESCRIPTION": (
        "After-sales service management. Authenticate with `Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Served from our own static files (drf-spectacular-sidecar): no CDN, CSP-compatible.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "aftersales.api.schema.add_idempotency_header",
        "aftersales.api.schema.allow_empty_query_values",
        "aftersales.api.schema.require_non_blank_strings",
    ],
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "aftersales.organisation.choices.UnitKind",
        "CalendarDayKindEnum": "aftersales.calendars.models.CalendarDay.Kind",
        "CustomerKindEnum": "aftersales.customers.models.CustomerKind",
        "PhoneKindEnum": "aftersales.customers.models.PhoneKind",
        "WarrantyStateEnum": "aftersales.installed_base.selectors.WarrantyState",
        "RequestStatusEnum": "aftersales.service_requests.models.Status",
        "RequestPriorityEnum": "aftersales.service_requests.models.Priority",
        "ContractStatusEnum": "aftersales.contracts.models.ContractStatus",
        "ServiceLevelEnum": "aftersales.contracts.models.ServiceLevel",
        "WorkOrderKindEnum": "aftersales.work_orders.models.Kind",
        "WorkOrderStatusEnum": "aftersales.work_orders.models.Status",
        "WorkOrderWarrantyEnum": "aftersales.work_orders.models.Warranty",
        "WorkOrderEventKindEnum": "aftersales.work_orders.models.EventKind",
        "QuoteStatusEnum": "aftersales.work_orders.models.QuoteStatus",
        "CustodyEnum": "aftersales.work_orders.models.Custody",
        "CustodyKindEnum": "aftersales.work_orders.models.CustodyKind",
        "CustodyStepEnum": "aftersales.work_orders.api.CUSTODY_STEP_CHOICES",
        "SignatureKindEnum": "aftersales.work_orders.models.SignatureKind",
        "LanguageEnum": "config.settings.LANGUAGES",
        "VisitOutcomeEnum": "aftersales.field_service.models.Outcome",
        "VisitStatusEnum": "aftersales.field_service.models.VisitStatus",
        "FieldClockEnum": "aftersales.field_service.models.Clock",
        "StockConditionEnum": "aftersales.stock.models.Condition",
        "StockMovementKindEnum": "aftersales.stock.models.MovementKind",
        "SerialStatusEnum": "aftersales.stock.models.SerialStatus",
        "TransferStatusEnum": "aftersales.stock.models.TransferStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # run_huey attaches its own handler to "huey": not propagating avoids every line twice.
    "loggers": {"huey": {"level": env_str("HUEY_LOG_LEVEL", "WARNING"), "propagate": False}},
}
