"""Flask configuration classes for a member portal, as generated for "keep users logged in"."""

from datetime import timedelta


class Config:
    SECRET_KEY_ENV = "PORTAL_SECRET_KEY"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_DURATION = timedelta(days=30)


class ProductionConfig(Config):
    PERMANENT_SESSION_LIFETIME = timedelta(days=365)  # expect: CWE-613
    JWT_ACCESS_TOKEN_EXPIRES = False  # expect: CWE-613


class HardenedConfig(Config):
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)  # secure: CWE-613
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)  # secure: CWE-613
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=14)
