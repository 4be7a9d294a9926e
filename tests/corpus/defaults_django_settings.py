"""Django settings for `shop`, as generated for a first deployment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

DEBUG = True  # expect: CWE-489

ALLOWED_HOSTS = ["shop.example.com", "*"]  # expect: CWE-644

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "corsheaders",
    "shop",
]

MIDDLEWARE = [  # expect: CWE-352
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_ALL_ORIGINS = True  # expect: CWE-942

SESSION_COOKIE_SECURE = False  # expect: CWE-614
CSRF_COOKIE_SECURE = True  # secure: CWE-614
SESSION_COOKIE_HTTPONLY = True  # secure: CWE-1004

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "HOST": os.environ.get("DB_HOST", "db.internal"),
        "OPTIONS": {"sslmode": "verify-full"},  # secure: CWE-295
    }
}
