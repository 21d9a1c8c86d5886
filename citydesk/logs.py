"""Log filters of the project's one console handler (settings.LOGGING)."""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    """A request refused with a 4xx (PermissionDenied, Http404, a bad request) logs one line.

    Django's `django.request` logger attaches the exception it turned into a 403 or 404, so with
    DEBUG on a refusal printed a whole traceback; only a 5xx is a fault worth one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
