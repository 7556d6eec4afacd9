"""Shared helpers for the benchmark scripts: sizes, subprocess workers, the machine, results."""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


def parse_sizes(text: str) -> list[str]:
    sizes = [s.strip() for s in text.split(",") if s.strip()]
    for size in sizes:
        if size not in SIZES:
            raise SystemExit(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    return sizes


def corpus(size: str) -> Path:
    from bench.corpus import generate

    out = DATA / f"corpus-{size}"
    generate(out, SIZES[size])
    return out


def worker(*args: str, timeout: float = 7200) -> dict:
    """Run ``python -m bench.worker ARGS`` in a fresh process; its last stdout line is JSON."""
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run([sys.executable, "-m", "bench.worker", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gib": round(ram, 1), "python": platform.python_version()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_chroma(path: Path, timeout: float = 120) -> tuple[subprocess.Popen, int]:
    """A real `chroma run` on a free loopback port, once it accepts connections.
    Also used by the test suite (tests/test_chroma_server.py)."""
    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    process = subprocess.Popen([binary, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"chroma run exited early (status {process.returncode})") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"chroma run did not start listening within {timeout:.0f} s")


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    for size, run in data.get("runs", {}).items():  # merge part by part: partial reruns keep the rest
        old.setdefault("runs", {}).setdefault(size, {}).update(run)
    old["machine"] = machine()
    old["updated"] = time.strftime("%Y-%m-%d %H:%M:%S")
    path.write_text(json.dumps(old, indent=1))
    return path


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "n/a"
    return f"{a / b:.2f}"
