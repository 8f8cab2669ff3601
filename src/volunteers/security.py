"""Security headers on every response, and redaction of personal data in logs."""

from __future__ import annotations

import logging
import re

from litestar.types import Message, Scope

# Pages use no script at all; inline styles and inline SVG are allowed, nothing external.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # check-in links carry their code; never pass it on
    (b"x-frame-options", b"DENY"),
]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: every HTTP response, errors and 404s included, gets HEADERS it lacks."""
    if message["type"] == "http.response.start":
        present = {name.lower() for name, _ in message.get("headers", [])}
        extra = [(name, value) for name, value in HEADERS if name not in present]
        message["headers"] = [*message.get("headers", []), *extra]


_SECRETS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[token]"),
    (re.compile(r"(?i)(\"?(?:password|access_token|token)\"?\s*[:=]\s*\"?)[^\s\",}]+"), r"\1[redacted]"),
    (re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])"), "[身份证号]"),  # ID-card numbers: no character of them
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),  # mainland mobiles
]


def redact(text: str) -> str:
    """Mask tokens, passwords, ID-card numbers and phone numbers in a log line."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites every record (message and traceback) through `redact` before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install_log_redaction(*names: str) -> None:
    """Attach the filter to the named loggers and to every handler of the root logger."""
    redacting = RedactingFilter()
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(redacting)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
