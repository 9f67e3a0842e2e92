"""What the server writes to stderr, and how personal data and passwords are kept out of it.

- The access log (logger ``api.access``, on unless ``KB_ACCESS_LOG=false``): one JSON line per
  request, built by :class:`api.middleware.ApiMiddleware` from fixed fields only.
- The app's own events (loggers ``api`` and ``kb``): one JSON line each; the message and any
  traceback pass through :func:`scrub_log_text` first.
- uvicorn: its access log (client address and port, raw path with the query string) is switched
  off here, whatever the command line says, so that the app's line is the only one; its own
  error lines (``uvicorn.error``: start-up, crashes) are scrubbed the same way.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Sequence

from kb.privacy import scrub
from kb.redaction import redact_text

ACCESS_LOGGER = "api.access"
APP_LOGGERS = ("api", "kb")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def scrub_log_text(text: str, secret_urls: Sequence[str] = ()) -> str:
    """``text`` without passwords (of any URL in it, and of ``secret_urls`` anywhere) and without
    e-mail addresses, phone numbers, keys or card-like numbers (:func:`kb.privacy.scrub`)."""
    return redact_text(text, *secret_urls, scrub_rest=scrub)


class ScrubFilter(logging.Filter):
    """Rewrites each record's message and traceback with :func:`scrub_log_text` before any
    handler formats it."""

    def __init__(self, secret_urls: Sequence[str] = ()):
        super().__init__()
        self.secret_urls = tuple(secret_urls)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = scrub_log_text(record.getMessage(), self.secret_urls)
            if record.exc_info:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
                record.exc_info = None
            if record.exc_text:
                record.exc_text = scrub_log_text(record.exc_text, self.secret_urls)
            if record.stack_info:
                record.stack_info = scrub_log_text(record.stack_info, self.secret_urls)
        except Exception:  # a log call must never fail, nor leak what it could not scrub
            record.msg = "(unprintable log record)"
            record.exc_info = record.exc_text = record.stack_info = None
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "error"?}``; ``error`` holds the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime(TIME_FORMAT, time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class _AppHandler(logging.StreamHandler):
    """The handler :func:`configure_logging` installs (found again by its class)."""


def _install(logger: logging.Logger, handler: logging.Handler) -> None:
    for old in [h for h in logger.handlers if isinstance(h, _AppHandler)]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # a handler configured elsewhere (root) must not print it unscrubbed


def configure_logging(access_log: bool, secret_urls: Sequence[str] = ()) -> None:
    """Set up the process's logging as the module docstring says; safe to call again (the last
    call's ``secret_urls``, the configured database and Redis URLs, are the ones hidden)."""
    scrubber = ScrubFilter(secret_urls)
    events = _AppHandler(sys.stderr)
    events.setFormatter(JsonFormatter())
    events.addFilter(scrubber)
    for name in APP_LOGGERS:
        _install(logging.getLogger(name), events)
    access = logging.getLogger(ACCESS_LOGGER)
    if access_log:
        lines = _AppHandler(sys.stderr)
        lines.setFormatter(logging.Formatter("%(message)s"))  # the middleware writes the JSON
        _install(access, lines)
    else:
        for old in [h for h in access.handlers if isinstance(h, _AppHandler)]:
            access.removeHandler(old)
        access.propagate = False
    logging.getLogger("uvicorn.access").disabled = True
    server_errors = logging.getLogger("uvicorn.error")
    for stale in [f for f in server_errors.filters if isinstance(f, ScrubFilter)]:
        server_errors.removeFilter(stale)
    server_errors.addFilter(scrubber)
