"""`python -m citydesk.server.healthcheck`: the web container's health check (Dockerfile).

Exits 0 when the daphne in this container answers /healthz with 200, else 1. It asks as the
proxy does: for an allowed host, over "https" (X-Forwarded-Proto), so production's redirect to
HTTPS does not answer instead.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def healthy(port: int, allowed_hosts: str) -> bool:
    hosts = [host.lstrip(".") for host in allowed_hosts.split(",") if host and host != "*"]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": hosts[0] if hosts else "localhost", "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status == 200
    except OSError as exc:  # refused, timed out, or an HTTP error status (503)
        print(f"healthz on port {port}: {exc}", file=sys.stderr)
        return False


if __name__ == "__main__":
    port = int(os.environ.get("CITYDESK_PORT", "8000"))
    sys.exit(0 if healthy(port, os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost")) else 1)
