"""Settings for both modes, read from the environment in this one place.

Embedded (default): SQLite file, in-memory channel layer, Celery tasks eager, all in one process.
Services: DATABASE_URL selects PostgreSQL; REDIS_URL selects the Redis channel layer and the
Celery broker, together, because eager tasks and the in-memory layer only work in one process.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from citydesk.database import bounded_connection_class

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CITYDESK_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "embedded-dev-only-not-a-secret-change-me")
# Off unless asked (`make demo` and the browser tests ask): a debug page shows settings and code.
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "command",
    "command.realtime",
    "hotline",
    "duty",
    "dashboards",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "citydesk.urls"
ASGI_APPLICATION = "asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # A pool, not persistent connections: under ASGI every request runs in a thread of its own,
    # and with CONN_MAX_AGE each one left a connection open until PostgreSQL refused more.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": int(os.environ.get("CITYDESK_DB_POOL_SIZE", "20")),
        # A request that finds every connection busy (a stuck database holds them all) gives up
        # after this many seconds with a 503 and Retry-After, instead of queueing behind them.
        "timeout": float(os.environ.get("CITYDESK_DB_POOL_TIMEOUT", "3")),
    }
    # Fail fast on a database that does not answer: connecting (libpq counts the start-up
    # exchange too) and any one statement are bounded; the API answers 503 with Retry-After.
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = int(
        os.environ.get("CITYDESK_DB_CONNECT_TIMEOUT", "3")
    )
    STATEMENT_TIMEOUT_MS = int(os.environ.get("CITYDESK_DB_STATEMENT_TIMEOUT_MS", "30000"))
    DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    # The server enforces statement_timeout only while it runs: against a frozen server the
    # client stops waiting too, a little later (citydesk/database.py), and the API answers 503.
    DATABASES["default"]["OPTIONS"]["pool"]["connection_class"] = bounded_connection_class(
        float(os.environ.get("CITYDESK_DB_ANSWER_TIMEOUT_S", STATEMENT_TIMEOUT_MS / 1000 + 5))
    )
    # Parameters bound by the server, not quoted into the SQL in Python (a seventh of intake's
    # time). Not prepared (Django's default): a prepared statement's plan, made while a table
    # was small, went on scanning it whole once it had grown.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CITYDESK_SQLITE", VAR_DIR / "citydesk.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait
                # (up to timeout) instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, like production's: an in-memory test database shares its cache between
            # threads, where SQLite reports "table is locked" at once instead of waiting.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and Celery: one switch, REDIS_URL ------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # redis-py 8 fails at once when its pool (default 100) is full: size it.
                "hosts": [{"address": REDIS_URL, "max_connections": 1000}],
                # Redis pub/sub ignores database numbers: deployments sharing a Redis need
                # their own prefix, or their events would cross.
                "prefix": os.environ.get("CITYDESK_CHANNEL_PREFIX", "citydesk"),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # API keys' rate limits (command.rate_limits): counted in Redis, as every daphne process
    # must count against the same limit.
    CITYDESK_RATE_COUNTER = "command.rate_limits.RedisCounter"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CITYDESK_RATE_COUNTER = "command.rate_limits.LocalCounter"
# Redis database numbers do not keep two deployments sharing a Redis apart on their own when
# they share a number: their counters carry the channel prefix too.
CITYDESK_RATE_COUNTER_PREFIX = os.environ.get("CITYDESK_CHANNEL_PREFIX", "citydesk") + ":rate"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Periodic work lives in the database and is scanned, never only scheduled as a delayed task.
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "command.relay_outbox", "schedule": 5.0},
    # Supervision alerts (督办): deadlines stored in the database, scanned (command.supervision).
    "supervision-scan": {
        "task": "command.supervision_scan",
        "schedule": float(os.environ.get("CITYDESK_SUPERVISION_SCAN_SECONDS", "30")),
    },
    # Texts whose send task was lost, and resolutions whose reporters were not yet surveyed.
    "sweep-sms": {"task": "integrations.sweep_sms", "schedule": 60.0},
    "ask-satisfaction": {"task": "hotline.ask_satisfaction", "schedule": 60.0},
    # Status-backs and transfers to the feed systems: state changes since the cursor, and
    # deliveries due (a lost task, a retry's back-off over, a send cut off mid-way).
    "sweep-feeds": {
        "task": "integrations.sweep_feeds",
        "schedule": float(os.environ.get("CITYDESK_FEED_SWEEP_SECONDS", "15")),
    },
    # The duty room: major incidents, alert escalation, emerging events, missed handovers.
    "duty-scan": {
        "task": "duty.scan",
        "schedule": float(os.environ.get("CITYDESK_DUTY_SCAN_SECONDS", "30")),
    },
    # The 110/12319 feeds: poll the systems in pull mode when due, forget old nonces.
    "feeds-pass": {
        "task": "integrations.feeds_pass",
        "schedule": float(os.environ.get("CITYDESK_FEED_PASS_SECONDS", "15")),
    },
    # API keys' request log: rows older than CITYDESK_API_LOG_RETENTION_DAYS.
    "prune-api-log": {
        "task": "command.prune_api_log",
        "schedule": float(os.environ.get("CITYDESK_API_LOG_PRUNE_SECONDS", "3600")),
    },
}

# --- Auth, i18n, static -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic writes and whitenoise serves from (the image's build, a test's temp dir).
STATIC_ROOT = Path(os.environ.get("CITYDESK_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Uploaded files (site photos): through the storage API, never served as a public path ---
# Photos are shown only through command.consoles' view, which checks who may see the incident.
MEDIA_ROOT = Path(os.environ.get("CITYDESK_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never routed: there is no public /media/ path

# --- Request bodies: capped here and at the proxy (deploy/nginx/citydesk.conf) ----------------
# A report is a few KB: a body over 1 MB is refused before it is parsed (the API answers 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576

# --- Sign-in for every role: accounts pages, the shared base template, django-axes -----------
# Kept in one block so merges with other settings work stay easy.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Before command: command.admin wraps axes' admin pages in the role matrix, so axes' must
# be registered first.
INSTALLED_APPS.insert(INSTALLED_APPS.index("command"), "axes")
# Axes turns a flagged failed sign-in into its lockout page; its docs ask for it last.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# Axes first: it refuses a locked-out sign-in before a password is checked, and never signs
# anyone in itself. ModelBackend is the one sessions name, so sessions made before axes was
# added, force_login in tests and the WebSocket's session look-up keep working.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Username and address together: a guesser from one address locks only the name it tries,
# and cannot lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind a reverse proxy REMOTE_ADDR is the proxy's, shared by every client: the address the
# trusted proxies recorded is counted instead (CITYDESK_TRUSTED_PROXIES, 1 in docker-compose).
AXES_CLIENT_IP_CALLABLE = "citydesk.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
# No start-up banner in every manage.py command's output; failed sign-ins are still logged.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "citydesk.lockout.locked_out"
# The project's own static files (the pages' CSS), next to the apps' static/ folders.
STATICFILES_DIRS = [BASE_DIR / "citydesk" / "static"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("citydesk.context_processors.signed_in")

# --- API ----------------------------------------------------------------------------------
# Requests made with an API key go to their integrator's log (command.request_log), timed from
# here to the answer.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "command.api.request_logging.ApiKeyRequestLog",
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "command.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["command.api.errors.JSONParser"],
    "EXCEPTION_HANDLER": "command.api.errors.json_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per API key (command.api_keys.admit): 429 with Retry-After over the key's limit.
    "DEFAULT_THROTTLE_CLASSES": ["command.api.throttle.ApiKeyRateThrottle"],
}
# The API's documentation names every endpoint and field: behind sign-in unless opened
# (CITYDESK_PUBLIC_API_DOCS=1), and open by default only with DEBUG on.
PUBLIC_API_DOCS = os.environ.get("CITYDESK_PUBLIC_API_DOCS", "1" if DEBUG else "0") == "1"
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if PUBLIC_API_DOCS
        else "rest_framework.permissions.IsAuthenticated"
    ],
    "TITLE": "CityDesk API",
    "DESCRIPTION": "Intake, incidents and lifecycle of the CityDesk command platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package: nothing downloads at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "Priority": "command.models.Priority",
        "IncidentStatus": "command.models.IncidentStatus",
    },
}

# --- The domain's own knobs -----------------------------------------------------------------
CITYDESK = {
    # Harbin: adcodes 2301xx. Routing loads the districts whose code starts with this.
    "CITY_ADCODE_PREFIX": os.environ.get("CITYDESK_CITY_ADCODE_PREFIX", "2301"),
    "MERGE_RADIUS_M": float(os.environ.get("CITYDESK_MERGE_RADIUS_M", "300")),
    "MERGE_WINDOW_HOURS": float(os.environ.get("CITYDESK_MERGE_WINDOW_HOURS", "24")),
    "MERGE_THRESHOLD": float(os.environ.get("CITYDESK_MERGE_THRESHOLD", "0.6")),
    # How often each server process publishes outbox events a failed relay left behind.
    "RELAY_SWEEP_SECONDS": float(os.environ.get("CITYDESK_RELAY_SWEEP_SECONDS", "2")),
    # Reverse proxies in front of daphne that append to X-Forwarded-For (nginx in compose: 1).
    "TRUSTED_PROXIES": int(os.environ.get("CITYDESK_TRUSTED_PROXIES", "0")),
    # Origins besides the site's own whose pages may open /ws/events/ (scheme://host[:port],
    # comma-separated): behind a proxy that rewrites Host or ends TLS, the public origin.
    "WS_ALLOWED_ORIGINS": [
        o for o in os.environ.get("CITYDESK_WS_ALLOWED_ORIGINS", "").split(",") if o.strip()
    ],
    # The maps' tiles (operator console, dashboards): a {z}/{x}/{y} URL, e.g. a city's own tile
    # server, drawn under the district polygons;
    # empty (the default) draws the polygons alone, as duty rooms may have no internet.
    "MAP_TILE_URL": os.environ.get("CITYDESK_MAP_TILE_URL", ""),
    # The supervision scanner's period; in the embedded mode a thread of the server runs it
    # ("auto": only in a server process; "1" always, "0" never), in services mode Celery beat.
    "SUPERVISION_SCAN_SECONDS": float(os.environ.get("CITYDESK_SUPERVISION_SCAN_SECONDS", "30")),
    "SUPERVISION_IN_PROCESS": os.environ.get("CITYDESK_SUPERVISION_IN_PROCESS", "auto"),
    # A site photo's size limit (bytes); the proxy lets /units/ bodies this large through.
    "PHOTO_MAX_BYTES": int(os.environ.get("CITYDESK_PHOTO_MAX_BYTES", str(5 * 1024 * 1024))),
    # How often the duty room's pass runs (duty.scan: escalation, surges, handovers).
    "DUTY_SCAN_SECONDS": float(os.environ.get("CITYDESK_DUTY_SCAN_SECONDS", "30")),
    # The feeds' pass (integrations.feeds.schedule): how often systems in pull mode are looked
    # at (each is polled after its own pull_interval_s); in the embedded mode a server thread.
    "FEED_PASS_SECONDS": float(os.environ.get("CITYDESK_FEED_PASS_SECONDS", "15")),
    "FEEDS_IN_PROCESS": os.environ.get("CITYDESK_FEEDS_IN_PROCESS", "auto"),
    # Categories whose incidents duty staff may transfer to 110 (移交110), a child counting as
    # its parent: public order, and traffic (accidents, the traffic police's signals).
    "POLICE_CATEGORIES": [
        c.strip()
        for c in os.environ.get("CITYDESK_POLICE_CATEGORIES", "public_security,traffic").split(",")
        if c.strip()
    ],
    # Status-backs and transfers to the feed systems (integrations.feeds.delivery): the POST's
    # timeout, and how often the sweep sends what is due (in the embedded mode a thread of the
    # server process, "auto"/"1"/"0" as for the supervision scanner; in services mode beat).
    "FEED_TIMEOUT_S": float(os.environ.get("CITYDESK_FEED_TIMEOUT_S", "5")),
    "FEED_SWEEP_SECONDS": float(os.environ.get("CITYDESK_FEED_SWEEP_SECONDS", "15")),
    "FEED_IN_PROCESS": os.environ.get("CITYDESK_FEED_IN_PROCESS", "auto"),
    "DEMO_PASSWORD": os.environ.get("CITYDESK_DEMO_PASSWORD", "demo"),
    "DEMO_API_KEY": os.environ.get("CITYDESK_DEMO_API_KEY", ""),
    # The demo feed systems' shared secrets (hrb-110, hrb-12319); unset: made once, kept in var/.
    "DEMO_FEED_SECRETS": {
        "110": os.environ.get("CITYDESK_DEMO_110_SECRET", ""),
        "12319": os.environ.get("CITYDESK_DEMO_12319_SECRET", ""),
    },
    # Open311's jurisdiction_id for this city (e.g. "harbin.gov.cn"): a request naming another
    # gets the spec's 404; empty, the parameter is ignored (one jurisdiction per endpoint).
    "OPEN311_JURISDICTION": os.environ.get("CITYDESK_OPEN311_JURISDICTION", ""),
    # Integrators (README "Integrator onboarding"): requests a minute a key may make unless it
    # has a limit of its own; how long its request log is kept, and how often it is written.
    "API_KEY_RATE_LIMIT": int(os.environ.get("CITYDESK_API_KEY_RATE_LIMIT", "600")),
    "API_LOG_RETENTION_DAYS": float(os.environ.get("CITYDESK_API_LOG_RETENTION_DAYS", "90")),
    "API_LOG_FLUSH_SECONDS": float(os.environ.get("CITYDESK_API_LOG_FLUSH_SECONDS", "1")),
    "API_LOG_PRUNE_SECONDS": float(os.environ.get("CITYDESK_API_LOG_PRUNE_SECONDS", "3600")),
    # Pushes a minute a feed system (110/12319) may make unless it has a limit of its own; its
    # request log is kept and written as the keys' is (README "Feeds: 110 and 12319").
    "FEED_RATE_LIMIT": int(os.environ.get("CITYDESK_FEED_RATE_LIMIT", "600")),
}

# --- Citizens' SMS and calls (issue 19): Twilio, or a domestic gateway ------------------------
# Twilio signs its webhooks with the auth token; an unset token refuses every webhook (403).
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
# The address Twilio is given for the webhooks (https://desk.example.cn): signatures are
# checked against it, never against the Host a proxy passes on. Unset: webhooks refused.
CITYDESK_PUBLIC_BASE_URL = os.environ.get("CITYDESK_PUBLIC_BASE_URL", "")
# Where texts go out, as Django's EMAIL_BACKEND: console (default), locmem (tests), twilio, http.
# Mainland citizens' numbers sent abroad are a cross-border transfer (PIPL): use `http` to a
# domestic provider there.
SMS_BACKENDS = {
    "console": "integrations.sms.backends.console.ConsoleGateway",
    "locmem": "integrations.sms.backends.locmem.LocmemGateway",
    "twilio": "integrations.sms.backends.twilio.TwilioGateway",
    "http": "integrations.sms.backends.http.HttpGateway",
}
CITYDESK_SMS_BACKEND = SMS_BACKENDS.get(
    os.environ.get("CITYDESK_SMS_BACKEND", "console"),
    os.environ.get("CITYDESK_SMS_BACKEND", ""),
)
CITYDESK_SMS_HTTP_URL = os.environ.get("CITYDESK_SMS_HTTP_URL", "")
CITYDESK_SMS_HTTP_TOKEN = os.environ.get("CITYDESK_SMS_HTTP_TOKEN", "")
# New complaints a number may text in an hour; more are stored and held for an operator.
CITYDESK_SMS_COMPLAINTS_PER_HOUR = int(os.environ.get("CITYDESK_SMS_COMPLAINTS_PER_HOUR", "5"))
# Who acts on what the webhooks receive: integrations may not import the hotline (import
# contracts), so the settings name the handlers.
CITYDESK_SMS_CONVERSATION = "hotline.conversation.reply"
CITYDESK_VOICE_CALLS = "hotline.screen_pop.incoming"
# Who counts the satisfaction survey's answers for unit performance and the dashboards: the
# core may not import the hotline (the hotline imports it), so the setting names the function.
CITYDESK_SATISFACTION = "hotline.satisfaction.counts"
# Where a transfer to 110 goes (the 110 system's name, or None): the core asks before it
# transfers, and may not import the adapters, so the setting names the function.
CITYDESK_POLICE_TRANSFER_TARGET = "integrations.feeds.transfer.target_name"

# --- Logging: one handler, every line once, phone numbers never ------------------------------
LOG_LEVEL = os.environ.get("CITYDESK_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_phones": {"()": "command.privacy.PhoneMaskingFilter"},
        "refusal_without_traceback": {"()": "citydesk.logs.RefusalWithoutTraceback"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_phones", "refusal_without_traceback"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's default config gives `django` a console handler of its own (DEBUG on) besides
    # the root's: every django.* line, such as a 4xx warning, was printed twice.
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # twilio's HTTP client logs each request's form (a citizen's number, the text) at INFO.
        "twilio.http_client": {"level": "WARNING"},
    },
}
