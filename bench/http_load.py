"""A gunicorn server on loopback and a bounded load generator (a thread pool of keep-alive
http.client connections). Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bench.database import ROOT
from bench.measure import Timing

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """`gunicorn <app> -k gthread --threads 4 -w 2 -b 127.0.0.1:<free port>`; stopped (by its
    own pid) when the block ends, whatever happens."""

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        log_path: Path,
        *,
        workers: int = 2,
        threads: int = 4,
    ) -> None:
        self.app = app
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            "-k",
            "gthread",
            "--threads",
            str(self.threads),
            "-w",
            str(self.workers),
            "-b",
            f"{HOST}:{self.port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ]
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        finally:
            log.close()

    def wait_ready(self, path: str, headers: dict[str, str], *, timeout: float = 60) -> int:
        """Poll until the app answers (any status below 500); returns that status."""
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status < 500:
                    return response.status
                last_error = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                last_error = str(exc)
            finally:
                conn.close()
            time.sleep(0.25)
        tail = self.log_tail()
        raise RuntimeError(f"gunicorn ({self.app}) did not come up: {last_error}\n{tail}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM to the master: it stops its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class LoadResult:
    timing: Timing
    errors: int
    statuses: Counter[int] = field(default_factory=Counter)
    wall_s: float = 0.0
    concurrency: int = 0
    latencies_ns: list[int] = field(default_factory=list, repr=False)  # not in as_dict

    def as_dict(self) -> dict[str, object]:
        return {
            "timing": self.timing.as_dict(),
            "errors": self.errors,
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "wall_s": self.wall_s,
            "concurrency": self.concurrency,
        }


def merged(loads: list[LoadResult]) -> LoadResult:
    """Several runs of the same load as one: every latency, the walls added up."""
    latencies = [ns for load in loads for ns in load.latencies_ns]
    wall = sum(load.wall_s for load in loads)
    return LoadResult(
        Timing.from_samples(latencies, wall),
        sum(load.errors for load in loads),
        sum((load.statuses for load in loads), Counter()),
        wall,
        loads[0].concurrency if loads else 0,
        latencies,
    )


def drive(
    port: int,
    path: str,
    headers: dict[str, str],
    *,
    total: int,
    seconds: float,
    concurrency: int,
    warmup: int = 20,
) -> LoadResult:
    """GET `path` `total` times or for `seconds`, whichever ends first, from `concurrency`
    threads each holding a keep-alive connection. A non-200 answer or a failed exchange is an
    error; latencies are measured for every request."""
    for _ in range(warmup):
        get(port, path, headers)
    lock = threading.Lock()
    issued = 0
    latencies: list[int] = []
    statuses: Counter[int] = Counter()
    errors = 0
    start = time.monotonic()
    deadline = start + seconds

    def one(conn: http.client.HTTPConnection) -> int:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status

    def worker() -> None:
        nonlocal issued, errors
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[int] = []
        my_statuses: Counter[int] = Counter()
        my_errors = 0
        used = False
        while True:
            with lock:
                if issued >= total or time.monotonic() >= deadline:
                    break
                issued += 1
            t0 = time.perf_counter_ns()
            try:
                try:
                    status = one(conn)
                except (ConnectionError, http.client.RemoteDisconnected):
                    if not used:
                        raise
                    # The server closed an idle keep-alive connection: reconnect once.
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
                    status = one(conn)
                used = True
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                used = False
            mine.append(time.perf_counter_ns() - t0)
            my_statuses[status] += 1
            if status != 200:
                my_errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(my_statuses)
            errors += my_errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.monotonic() - start
    return LoadResult(
        Timing.from_samples(latencies, wall), errors, statuses, wall, concurrency, latencies
    )
