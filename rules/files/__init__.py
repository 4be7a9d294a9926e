"""Files and outbound requests: path traversal, archives, uploads, SSRF, open redirects."""
