"""Open-loop HTTP/1.1 load at a fixed rate, free of coordinated omission.

Request *i* is scheduled at ``start + i / rate`` whatever happened before; its latency is
measured from that scheduled time to the last byte of the response, so queueing in the server,
in the kernel or in this client (waiting for a free connection) all count. Requests go over a
pool of raw keep-alive connections (asyncio streams, no HTTP library in the way); a new
connection is opened when none is idle, up to ``max_conns``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from bench.common import summarize_ms

EARLY_S = 0.001


Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _Pool:
    """Keep-alive connections, most recently used first. A connection idle for longer than
    ``max_idle`` is closed instead of reused: the server may already have closed it (uvicorn's
    keep-alive timeout is 5 s), and a request written into it would fail with an EOF."""

    def __init__(self, host: str, port: int, max_conns: int, max_idle: float = 2.0):
        self.host, self.port, self.max_conns, self.max_idle = host, port, max_conns, max_idle
        self.idle: list[tuple[float, Conn]] = []
        self.open = 0
        self.peak = 0
        self.waiters: asyncio.Queue[None] = asyncio.Queue()

    async def acquire(self, fresh: bool = False) -> tuple[Conn, bool]:
        """A connection, and whether it was reused."""
        now = asyncio.get_running_loop().time()
        while True:
            while self.idle and not fresh:
                since, conn = self.idle.pop()
                if now - since <= self.max_idle:
                    return conn, True
                self._drop(conn)
            if self.open < self.max_conns:
                self.open += 1
                self.peak = max(self.peak, self.open)
                try:
                    return await asyncio.open_connection(self.host, self.port), False
                except BaseException:
                    self.open -= 1
                    raise
            await self.waiters.get()

    def _drop(self, conn: Conn) -> None:
        self.open -= 1
        conn[1].close()

    def release(self, conn: Conn, ok: bool) -> None:
        if ok:
            self.idle.append((asyncio.get_running_loop().time(), conn))
        else:
            self._drop(conn)
        self.waiters.put_nowait(None)

    def close(self) -> None:
        for _, (_, writer) in self.idle:
            writer.close()
        self.idle.clear()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return (status, keep_alive)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"


async def open_loop(host: str, port: int, paths: list[str], rate: float, duration: float,
                    max_conns: int = 256, timeout: float = 5.0, offset: int = 0) -> dict:
    """Send ``rate * duration`` requests on schedule, cycling through ``paths`` from ``offset``."""
    loop = asyncio.get_running_loop()
    pool = _Pool(host, port, max_conns)
    total = max(1, int(rate * duration))
    latencies: list[float] = []
    service: list[float] = []
    lags: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    retries: Counter[str] = Counter()
    tasks: list[asyncio.Task[None]] = []

    async def one(path: str, scheduled: float) -> None:
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
        conn = None
        ok = False
        try:
            async with asyncio.timeout(timeout):
                conn, reused = await pool.acquire()
                sent = loop.time()
                conn[1].write(request)
                try:
                    status, ok = await _read_response(conn[0])
                except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
                    # The server closed an idle keep-alive connection as we reused it, before
                    # sending a byte back: retry this GET once on a new connection, as HTTP
                    # clients do; the latency still runs from the scheduled time.
                    if not reused or (isinstance(exc, asyncio.IncompleteReadError)
                                      and exc.partial):
                        raise
                    retries["stale_connection"] += 1
                    pool.release(conn, False)
                    conn, _ = await pool.acquire(fresh=True)
                    conn[1].write(request)
                    status, ok = await _read_response(conn[0])
            done = loop.time()
            latencies.append((done - scheduled) * 1000)
            service.append((done - sent) * 1000)
            statuses[status] += 1
        except TimeoutError:
            errors["timeout"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors[type(exc).__name__] += 1
        finally:
            if conn is not None:
                pool.release(conn, ok)

    start = loop.time() + 0.05
    for i in range(total):
        scheduled = start + i / rate
        # The event loop wakes up to ~1 ms late (epoll's millisecond timeout is rounded up):
        # aim EARLY_S early; a request sent before its time is timed from when it was sent.
        delay = scheduled - EARLY_S - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        now = loop.time()
        lags.append((now - scheduled) * 1000)
        tasks.append(loop.create_task(one(paths[(offset + i) % len(paths)], max(now, scheduled))))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    pool.close()
    non_2xx = sum(n for s, n in statuses.items() if not 200 <= s < 300)
    return {
        "rate": rate,
        "duration_s": duration,
        "sent": total,
        "completed": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "retries": dict(retries),
        "non_2xx": non_2xx,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "achieved_rps": round(len(latencies) / elapsed, 1) if elapsed > 0 else 0.0,
        "latency_ms": summarize_ms(latencies),
        "service_ms": summarize_ms(service),
        "send_lag_ms": summarize_ms(lags),  # negative: sent early (then timed from sending)
        "connections": pool.peak,
    }


def run_open_loop(host: str, port: int, paths: list[str], rate: float, duration: float,
                  **kwargs: object) -> dict:
    """Synchronous wrapper (a fresh event loop per run, in a thread of its own when the caller's
    thread already runs one, as under Playwright's sync API in the same test process)."""
    from concurrent.futures import ThreadPoolExecutor

    def run() -> dict:
        return asyncio.run(open_loop(host, port, paths, rate, duration, **kwargs))  # type: ignore[arg-type]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(run).result()
    result["wall_s"] = round(time.perf_counter() - t0, 2)
    return result
