"""Settings read from ``KB_*`` environment variables (pydantic-settings).

Only the edges (the web app factory, the CLI) build a ``Settings``; library functions take plain
arguments.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

RATE_LIMIT_STORAGE_SCHEMES = ("async+redis://", "async+rediss://", "async+redis+unix://")


class Settings(BaseSettings):
    # A refused value is not echoed in the error: it may be a secret (a token, a database URL).
    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore", hide_input_in_errors=True)

    content_dir: Path = Field(Path("content"), description="Markdown articles, one folder per locale.")
    index_dir: Path = Field(Path("var/index"), description="Where `kb reindex` writes index generations.")
    database_url: str = Field(
        "sqlite:///var/kb.sqlite3", description="Feedback and search log storage (SQLite or PostgreSQL)."
    )
    channels_file: Path = Field(
        Path("config/channels.yaml"),
        description="Operator file with contact values (phone numbers, chat URL, Twitter handle).",
    )
    default_locale: str = Field("en", description="Locale used when nothing else decides.")
    article_url_template: str = Field(
        "/articles/{locale}/{article_id}",
        description="Template of each result's `url`; placeholders {locale}, {article_id}, {section}.",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address customers reach the service at (scheme, host, optional path): absolute "
        "links of pages (canonical, hreflang), sitemap.xml and robots.txt; never taken from a request.",
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:8000", "http://127.0.0.1:8000"],
        description="Origins allowed to call the API from a browser (JSON list).",
    )
    admin_token: SecretStr | None = Field(None, description="Token for /v1/admin/*; admin is off when unset.")
    metrics_token: SecretStr | None = Field(
        None, description="When set, /metrics needs it as a bearer token; open to any client when unset."
    )
    query_cache_size: int = Field(
        4096, ge=0, description="Normalized-query LRU cache entries; 0 turns it and the response cache off."
    )
    response_cache_bytes: int = Field(
        32 * 1024 * 1024, ge=0, description="Rendered search and answer responses kept per worker, in bytes; 0 = off."
    )
    index_check_seconds: float = Field(1.0, ge=0, description="How often a worker looks for a new index generation.")
    rate_limit_per_minute: int = Field(1200, ge=0, description="Requests per client per minute; 0 = off.")
    rate_limit_storage: str = Field(
        "memory://",
        description="Where the rate limit counts: memory:// (each worker its own) or async+redis://host:port/db "
        "(one limit across workers and replicas).",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses or networks whose X-Forwarded-For is believed (JSON list: "
        '["10.0.0.0/8", "192.0.2.7"]).',
    )
    max_body_bytes: int = Field(16_384, ge=1024, description="Largest accepted request body.")
    log_retention_days: int = Field(90, ge=1, description="Days of search log and feedback kept.")
    purge_interval_hours: float = Field(
        24.0, ge=0, description="How often the server deletes what is older than the retention; 0 = only `kb purge`."
    )
    log_queue_size: int = Field(10_000, ge=1, description="Search-log records queued before new ones are dropped.")
    access_log: bool = Field(True, description="Structured JSON access log lines on stderr.")

    @field_validator("public_base_url")
    @classmethod
    def _absolute_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"KB_PUBLIC_BASE_URL must be an absolute http(s) address without query or fragment, not {value!r}"
            )
        return value.strip().rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(f"KB_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
        return [item.strip() for item in value]

    @field_validator("rate_limit_storage")
    @classmethod
    def _async_rate_limit_storage(cls, value: str) -> str:
        value = value.strip()
        if value != "memory://" and not value.startswith(RATE_LIMIT_STORAGE_SCHEMES):
            # A synchronous client (redis://) would block the event loop on every request.
            raise ValueError(
                "KB_RATE_LIMIT_STORAGE must be memory:// or async+redis://host:port/db "
                "(async+rediss:// with TLS, async+redis+unix:///path for a socket)"
            )
        return value

    @field_validator("admin_token", "metrics_token")
    @classmethod
    def _refuse_placeholder_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        secret = value.get_secret_value()
        if secret.lower() in {"changeme", "change-me", "secret", "admin", "token"} or len(secret) < 16:
            name = f"KB_{(info.field_name or '').upper()}"
            raise ValueError(f"{name} must be a random string of at least 16 characters")
        return value
