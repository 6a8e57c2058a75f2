#!/usr/bin/env python3
"""Load benchmark for yishi: throughput, latency and memory of two pages.

What it measures
    Starts the release binary (`target/release/yishi serve --demo`) on a fresh
    SQLite database in a temporary directory, waits for `GET /healthz`, then
    drives two pages over loopback with a fixed number of requests at a fixed
    concurrency (threads, one keep-alive `http.client` connection each):

      * the community home of the demo village, `GET /c/liutang`
      * the sign-in page, `GET /signin`

    For each page it reports requests, errors (any non-200 answer or failed
    request), requests/s, p50/p99/max latency in ms, and the server's peak
    resident memory (`VmHWM`, plus the highest `VmRSS` seen while sampling).

How to run (from the repository root)
    python3 scripts/bench-load.py                     # build, then benchmark
    python3 scripts/bench-load.py --no-build          # reuse target/release/yishi
    python3 scripts/bench-load.py --requests 5000 --concurrency 16 --keep

It is a script, not a test: it needs no third-party packages (Python 3.11
standard library only) and stops by itself. Inherited YISHI_* variables are
dropped so the server only sees the settings chosen here. The server is always
stopped (SIGTERM, then SIGKILL after 5 s) and the temporary directory removed
unless --keep is given.

Exit status: 0 on success, 1 if any request errored, 2 if the build failed or
the server did not start (or died during the run).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BINARY = REPO_ROOT / "target" / "release" / "yishi"

PAGES = [
    ("community home", "/c/liutang"),
    ("sign-in", "/signin"),
]

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 120.0  # wait for /healthz (includes loading the demo data)
REQUEST_TIMEOUT_S = 10.0  # socket timeout for one request
PAGE_DEADLINE_S = 60.0  # hard cap on one page's measured phase
WARMUP_DEADLINE_S = 15.0  # hard cap on one page's warm-up
BUILD_TIMEOUT_S = 1800.0  # a cold release build on a small machine is slow
STOP_GRACE_S = 5.0  # SIGTERM, then SIGKILL after this long
RSS_SAMPLE_INTERVAL_S = 0.1

EXIT_OK, EXIT_REQUEST_ERRORS, EXIT_SERVER_FAILED = 0, 1, 2


class ServerFailed(Exception):
    """The binary could not be built, or the server did not start or died."""


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load-benchmark `yishi serve --demo` on two pages over loopback.",
    )
    parser.add_argument(
        "--requests", type=positive_int, default=2000, metavar="N",
        help="measured requests per page (default: %(default)s)",
    )
    parser.add_argument(
        "--concurrency", type=positive_int, default=8, metavar="C",
        help="client threads / keep-alive connections (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup", type=int, default=50, metavar="N",
        help="unmeasured warm-up requests per page (default: %(default)s)",
    )
    parser.add_argument(
        "--no-build", action="store_true",
        help="skip `cargo build --release` and use the existing binary",
    )
    parser.add_argument(
        "--keep", action="store_true",
        help="keep the temporary directory (database, server log)",
    )
    args = parser.parse_args(argv)
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


# --------------------------------------------------------------------------
# Build and server lifecycle
# --------------------------------------------------------------------------


def build_release() -> None:
    print("building: cargo build --release", flush=True)
    try:
        result = subprocess.run(
            ["cargo", "build", "--release"], cwd=REPO_ROOT, timeout=BUILD_TIMEOUT_S
        )
    except FileNotFoundError as exc:
        raise ServerFailed("cargo not found on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServerFailed(f"build took longer than {BUILD_TIMEOUT_S:.0f} s") from exc
    if result.returncode != 0:
        raise ServerFailed(f"cargo build --release failed (exit {result.returncode})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(tmpdir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YISHI_")}
    env.update(
        YISHI_DATABASE_URL=str(tmpdir / "bench.db"),
        YISHI_BIND=f"{HOST}:{port}",
        YISHI_LOG="warn",
    )
    return env


def start_server(tmpdir: Path, port: int, log_path: Path) -> subprocess.Popen:
    if not BINARY.is_file():
        raise ServerFailed(f"binary not found: {BINARY} (drop --no-build?)")
    cmd = [str(BINARY), "serve", "--demo"]
    print(f"server:   {shlex.join(cmd)}  (YISHI_BIND={HOST}:{port})", flush=True)
    with open(log_path, "wb") as log:
        # A new session keeps a terminal Ctrl-C away from the server; the
        # finally block in main() stops it explicitly instead.
        return subprocess.Popen(
            cmd,
            cwd=tmpdir,
            env=server_env(tmpdir, port),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        print(f"server ignored SIGTERM for {STOP_GRACE_S:.0f} s; sending SIGKILL",
              file=sys.stderr)
        proc.kill()
        proc.wait()


def healthz_ok(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2.0)
    try:
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        return resp.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen, port: int) -> float:
    """Poll /healthz until it answers 200; return the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < STARTUP_TIMEOUT_S:
        if proc.poll() is not None:
            raise ServerFailed(f"server exited during startup (exit {proc.returncode})")
        if healthz_ok(port):
            return time.monotonic() - start
        time.sleep(0.25)
    raise ServerFailed(f"/healthz did not answer 200 within {STARTUP_TIMEOUT_S:.0f} s")


def log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


# --------------------------------------------------------------------------
# Memory sampling
# --------------------------------------------------------------------------


def read_status_kib(pid: int, key: str) -> int | None:
    """A `kB` field of /proc/<pid>/status (e.g. VmRSS, VmHWM), or None."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


class RssSampler(threading.Thread):
    """Background thread recording the highest VmRSS seen for one process."""

    def __init__(self, pid: int) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.pid = pid
        self.max_rss_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(RSS_SAMPLE_INTERVAL_S)

    def sample(self) -> None:
        rss = read_status_kib(self.pid, "VmRSS")
        if rss is not None:
            self.max_rss_kib = max(self.max_rss_kib, rss)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2.0)
        self.sample()


# --------------------------------------------------------------------------
# Load generation
# --------------------------------------------------------------------------


@dataclass
class PageResult:
    name: str
    path: str
    requests: int
    latencies_s: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def one_request(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    resp = conn.getresponse()
    resp.read()  # drain the body so the connection can be reused
    return resp.status


def worker(port: int, path: str, next_index, deadline: float, result: PageResult,
           lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    latencies: list[float] = []
    errors: Counter = Counter()
    try:
        while next_index() is not None:
            if time.monotonic() > deadline:
                errors["not sent: page deadline passed"] += 1
                continue
            start = time.perf_counter()
            try:
                status = one_request(conn, path)
            except (OSError, http.client.HTTPException) as exc:
                errors[f"{type(exc).__name__}: {exc}"[:120]] += 1
                conn.close()  # reconnect on the next request
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
                continue
            latencies.append(time.perf_counter() - start)
            if status != 200:
                errors[f"HTTP {status}"] += 1
    finally:
        conn.close()
        with lock:
            result.latencies_s.extend(latencies)
            result.errors.update(errors)


def run_load(port: int, name: str, path: str, requests: int, concurrency: int,
             deadline_s: float = PAGE_DEADLINE_S) -> PageResult:
    """Send `requests` GETs to `path` from `concurrency` threads."""
    result = PageResult(name=name, path=path, requests=requests)
    lock = threading.Lock()
    remaining = iter(range(requests))

    def next_index():
        with lock:
            return next(remaining, None)

    deadline = time.monotonic() + deadline_s
    threads = [
        threading.Thread(
            target=worker, name=f"client-{i}",
            args=(port, path, next_index, deadline, result, lock), daemon=True,
        )
        for i in range(min(concurrency, requests))
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        # Each thread stops issuing at the deadline; allow one request timeout more.
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT_S + 5)
    result.elapsed_s = time.perf_counter() - start
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        result.errors[f"{stuck} client thread(s) did not finish"] += 1
    return result


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def percentile_ms(sorted_s: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted latencies (seconds), in milliseconds."""
    if not sorted_s:
        return float("nan")
    rank = max(1, -(-len(sorted_s) * pct // 100))  # ceil(n * pct / 100)
    return sorted_s[int(rank) - 1] * 1000.0


def print_table(results: list[PageResult]) -> None:
    header = ("page", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms")
    rows = []
    for r in results:
        lat = sorted(r.latencies_s)
        rps = len(lat) / r.elapsed_s if r.elapsed_s > 0 else 0.0
        rows.append((
            f"{r.name} {r.path}",
            str(r.requests),
            str(r.error_count),
            f"{rps:.1f}",
            f"{percentile_ms(lat, 50):.2f}",
            f"{percentile_ms(lat, 99):.2f}",
            f"{lat[-1] * 1000.0:.2f}" if lat else "nan",
        ))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def fmt(row) -> str:
        first = row[0].ljust(widths[0])
        rest = (cell.rjust(w) for cell, w in zip(row[1:], widths[1:]))
        return "  ".join([first, *rest])

    print()
    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(fmt(row))


def print_errors(results: list[PageResult]) -> None:
    for r in results:
        for kind, count in r.errors.most_common(5):
            print(f"  {r.path}: {count} x {kind}", file=sys.stderr)


def mib(kib: int | None) -> str:
    return "n/a" if not kib else f"{kib / 1024:.1f} MiB"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, tmpdir: Path) -> int:
    log_path = tmpdir / "server.log"
    port = free_port()
    proc = start_server(tmpdir, port, log_path)
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        try:
            ready_s = wait_ready(proc, port)
        except ServerFailed:
            print(f"--- server log (last lines) ---\n{log_tail(log_path)}", file=sys.stderr)
            raise
        print(f"ready:    /healthz answered 200 after {ready_s:.1f} s", flush=True)

        warmup_errors = 0
        results = []
        for name, path in PAGES:
            if args.warmup:
                warm = run_load(port, name, path, args.warmup, args.concurrency,
                                deadline_s=WARMUP_DEADLINE_S)
                warmup_errors += warm.error_count
                if warm.error_count:
                    print(f"warm-up {path}: {warm.error_count} error(s)", file=sys.stderr)
                    print_errors([warm])
            print(f"load:     {path}  {args.requests} requests, "
                  f"concurrency {args.concurrency}", flush=True)
            results.append(
                run_load(port, name, path, args.requests, args.concurrency)
            )
            if proc.poll() is not None:
                print(f"--- server log (last lines) ---\n{log_tail(log_path)}",
                      file=sys.stderr)
                raise ServerFailed(f"server died during the run (exit {proc.returncode})")

        hwm_kib = read_status_kib(proc.pid, "VmHWM")
    finally:
        sampler.stop()
        stop_server(proc)

    print_table(results)
    print()
    print(f"peak RSS (VmHWM):      {mib(hwm_kib)}")
    print(f"max sampled VmRSS:     {mib(sampler.max_rss_kib)}")

    total_errors = warmup_errors + sum(r.error_count for r in results)
    if total_errors:
        print(f"\nFAIL: {total_errors} request(s) errored:", file=sys.stderr)
        print_errors(results)
        return EXIT_REQUEST_ERRORS
    return EXIT_OK


def raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the finally blocks


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    cmdline = shlex.join([sys.executable, *sys.argv] if argv is None else argv)
    print(f"command:  {cmdline}")
    print(f"nproc:    {len(os.sched_getaffinity(0))}")
    print(f"repo:     {REPO_ROOT}", flush=True)

    tmpdir = Path(tempfile.mkdtemp(prefix="yishi-bench-"))
    try:
        if not args.no_build:
            build_release()
        return benchmark(args, tmpdir)
    except ServerFailed as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return EXIT_SERVER_FAILED
    finally:
        if args.keep:
            print(f"kept:     {tmpdir}")
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # cleanup already ran in main()'s finally blocks
        print("interrupted", file=sys.stderr)
        sys.exit(130)
