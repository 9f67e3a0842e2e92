"""Prometheus metrics: per-route request counts and latencies, the index each worker serves,
the search-log writer, the query cache and requests the rate limit could not check.

With one process, each app keeps its metrics in its own registry. With several uvicorn workers,
set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before the server starts (``scripts/serve``
does when ``--workers`` > 1): prometheus-client then keeps every worker's values in files there
and ``/metrics``, whichever worker answers, adds them up (counters and histograms summed; the
per-worker gauges carry a ``pid`` label). Each worker copies its index, search-log and cache
figures into the metrics every :data:`SYNC_SECONDS` and when it answers ``/metrics``, so a scrape
sees the other workers' gauges at most that old. A worker removes its live gauges when it stops;
files of workers that died without stopping are cleaned up when a worker starts.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest
from prometheus_client import multiprocess as prom_multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import Scope

from kb.search_log import SearchLogWriter
from kb.service import KnowledgeBase

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SYNC_SECONDS = 1.0
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Search runs in about a millisecond: finer buckets at the low end than prometheus-client's.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"
_LIVE_FILE = re.compile(r"_(\d+)\.db$")
disable_created_metrics()  # no `*_created` series: they double the output and nobody graphs them


def multiprocess_dir() -> str | None:
    """The prometheus-client multiprocess directory, if this server runs in that mode."""
    return os.environ.get(MULTIPROC_ENV) or None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_workers(path: str) -> None:
    """Remove the live gauges of workers that died without a clean shutdown."""
    pids = {int(m.group(1)) for f in glob.glob(os.path.join(path, "gauge_live*.db")) if (m := _LIVE_FILE.search(f))}
    for pid in pids:
        if pid != os.getpid() and not _pid_alive(pid):
            prom_multiprocess.mark_process_dead(pid, path)


class Metrics:
    """The app's metric objects and the copy of the per-worker figures into them."""

    def __init__(self) -> None:
        self.directory = multiprocess_dir()
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "kb_http_requests", "HTTP requests by method, route template and status.", ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "kb_http_request_duration_seconds", "Time to answer, by method and route template.", ["method", "route"],
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.generation = Gauge(
            "kb_index_generation_info", "1 for the index generation the worker serves, 0 for ones it served before.",
            ["generation"], multiprocess_mode="liveall", registry=r,
        )
        self.generation_created = Gauge(
            "kb_index_generation_created_timestamp_seconds", "When the served index generation was built.",
            multiprocess_mode="liveall", registry=r,
        )
        self.documents = Gauge(
            "kb_index_documents", "Articles in the served index generation, per locale.", ["locale"],
            multiprocess_mode="livemostrecent", registry=r,
        )
        self.log_written = Counter("kb_search_log_written", "Search-log records written.", registry=r)
        self.log_dropped = Counter(
            "kb_search_log_dropped", "Search-log records dropped (queue full, or after shutdown).", registry=r
        )
        self.log_failed = Counter("kb_search_log_failed", "Search-log records the database refused.", registry=r)
        self.log_queued = Gauge(
            "kb_search_log_queued", "Search-log records waiting to be written.", multiprocess_mode="livesum", registry=r
        )
        self.rate_limit_unchecked = Counter(
            "kb_rate_limit_unchecked",
            "Requests let through without a rate-limit check because its storage (Redis) failed.",
            registry=r,
        )
        self.cache_hits = Counter("kb_query_cache_hits", "Query cache hits.", registry=r)
        self.cache_misses = Counter("kb_query_cache_misses", "Query cache misses.", registry=r)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._seen: dict[str, int] = {}
        self._served: str | None = None
        self._locales: set[str] = set()

    # -- requests (hot path) -------------------------------------------------------------
    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            if len(self._children) > 10_000:  # cannot happen with bounded labels; a safety net
                self._children.clear()
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    # -- per-worker figures -----------------------------------------------------------------
    def _advance(self, counter: Counter, key: str, value: int) -> None:
        """Add to ``counter`` what ``value`` (a count kept elsewhere) grew by since last time."""
        last = self._seen.get(key, 0)
        delta = value - last if value >= last else value  # the source restarted from zero
        if delta > 0:
            counter.inc(delta)
        self._seen[key] = value

    def sync(self, kb: KnowledgeBase | None, writer: SearchLogWriter | None, response_hits: int = 0) -> None:
        """Copy the index, search-log and cache figures of this worker into the metrics. A
        request answered from the rendered-response cache (``response_hits``) counts as a query
        cache hit: it never reached the query cache, which counts only the others."""
        if writer is not None:
            stats = writer.stats()
            self._advance(self.log_written, "written", stats["written"])
            self._advance(self.log_dropped, "dropped", stats["dropped"])
            self._advance(self.log_failed, "failed", stats["failed"])
            self.log_queued.set(stats["queued"])
        if kb is None:
            return
        try:
            generation = kb.generation  # also lets an idle worker pick up a new generation
        except Exception:
            return
        cache = kb.cache_stats
        self._advance(self.cache_hits, "hits", cache["hits"] + response_hits)
        self._advance(self.cache_misses, "misses", cache["misses"])
        if generation.name != self._served:
            if self._served is not None:
                self.generation.labels(self._served).set(0)
                if self.directory is None:  # in multiprocess mode a removed child stays in its file
                    self.generation.remove(self._served)
            self.generation.labels(generation.name).set(1)
            self._served = generation.name
            created = generation.manifest.get("created_at")
            if created:
                with contextlib.suppress(ValueError):  # a manifest from elsewhere: no creation time then
                    self.generation_created.set(datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp())
            counts = generation.manifest.get("counts") or {}
            for locale in self._locales - set(counts):
                self.documents.labels(locale).set(0)
            for locale, stats in counts.items():
                self.documents.labels(locale).set(int(stats.get("articles", 0)))
            self._locales |= set(counts)

    def exposition(self) -> bytes:
        """The text a scrape gets: every worker's figures added up (sync this worker's first)."""
        if self.directory is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        prom_multiprocess.MultiProcessCollector(registry, path=self.directory)
        return generate_latest(registry)

    def started(self) -> None:
        if self.directory is not None:
            forget_dead_workers(self.directory)

    def stopped(self) -> None:
        """This worker's live gauges leave the sums (multiprocess mode)."""
        if self.directory is not None:
            prom_multiprocess.mark_process_dead(os.getpid(), self.directory)


def route_template(scope: Scope, routes: Iterable[Any] = ()) -> str:
    """The path template of the route that handled the request; for a request refused before
    routing (rate limit, body size), the template of the first of ``routes`` whose pattern
    matches its path."""
    route = scope.get("route")
    if route is None:
        path = scope.get("path", "")
        route = next((r for r in routes if (rx := getattr(r, "path_regex", None)) and rx.match(path)), None)
    template = getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED
