# The CityDesk image: daphne (web), Celery worker and beat, all under citydesk.settings_production.
#   docker compose up -d            (docker-compose.yml: the proxy, web x2, worker, beat, ...)

# Build stage: the pinned runtime set (requirements.txt: no test or lint tools) into a venv.
# Every pin installs from a wheel, so neither stage needs a compiler.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt

# Runtime stage: the venv, the code and the collected static files; runs as `citydesk`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=citydesk.settings_production \
    CITYDESK_VAR_DIR=/var/lib/citydesk
RUN groupadd --system citydesk \
    && useradd --system --gid citydesk --home-dir /var/lib/citydesk --no-create-home citydesk \
    && install -d -o citydesk -g citydesk /var/lib/citydesk
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY . .
# Under the settings the server runs with: their manifest storage answers 500 for any page that
# names a static file missing from the manifest. The key exists for this step only.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0
# Not root: the code and static files stay root's, read-only to the server; only
# /var/lib/citydesk (beat's schedule file) is its own.
USER citydesk
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 \
    CMD ["python", "-m", "citydesk.server.healthcheck"]
CMD ["python", "-m", "citydesk.server", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "asgi:application"]
