"""Insecure defaults: TLS, debug, bind-all, CORS, cookies, CSRF, timeouts, permissions."""
