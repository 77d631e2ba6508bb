"""Measuring tools shared by the scale benchmarks: medians, child processes with their
own peak memory and a timeout, and the figures table that ``run.py`` prints."""
from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def median(fn, runs: int) -> float:
    """Median wall time of ``runs`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@dataclass
class Child:
    """A finished (or stopped) child process: wall time, peak RSS, output lines."""

    seconds: float
    rss_mib: float
    lines: list[str]
    timed_out: bool
    code: int | None

    def value(self, key: str) -> str | None:
        """The last ``key value`` line the child printed."""
        found = [line.split(" ", 1)[1] for line in self.lines if line.startswith(key + " ")]
        return found[-1] if found else None


def child(argv: list[str], timeout: float | None = None, env: dict | None = None) -> Child:
    """Run ``argv``, reading its stdout; stop it after ``timeout`` seconds. The peak
    memory is the child's own (``wait4``), not the high-water mark of all children."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    chunks, timed_out = [], False

    def drain():
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return
            if not data:
                return
            chunks.append(data)

    peak = 0.0
    while True:
        drain()
        peak = max(peak, _vmhwm(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if timeout is not None and time.perf_counter() - started > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            timed_out = True
            break
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    drain()
    proc.stdout.close()
    text = b"".join(chunks).decode("utf-8", "replace")
    lines = [x for x in text.split("\n") if x]
    # ru_maxrss would carry the parent's peak at fork time (Linux keeps it across exec):
    # a child's own figure (children.py prints it) or the peak polled from /proc.
    own = [float(x.split()[1]) for x in lines if x.startswith("vmhwm ")]
    return Child(seconds, own[-1] if own else peak, lines, timed_out, proc.returncode)


def _vmhwm(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mib() -> float:
    """This process's peak resident memory (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Figure:
    """One measured figure: qkg against its baseline, both measured in this run."""

    section: str
    name: str
    qkg: float | None
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    lower_bound: bool = False  # the baseline hit its timeout: the ratio is at least this
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.qkg and self.baseline:
            return self.baseline / self.qkg
        return None


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.1f} s"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:g} {unit}"


def print_table(figures: list[Figure], out=sys.stdout) -> None:
    """The figures, one line each: value, baseline, ratio, target and verdict."""
    section = None
    for f in figures:
        if f.section != section:
            section = f.section
            print(f"\n## {section}", file=out)
            print(f"{'figure':44} {'qkg':>10} {'baseline':>12} {'ratio':>8}  target / verdict", file=out)
        base = ("> " if f.lower_bound else "") + show(f.baseline, f.unit)
        ratio = f.ratio
        shown = "-" if ratio is None else (">= " if f.lower_bound else "") + f"{ratio:.1f}x"
        verdict = "" if f.met is None else ("met" if f.met else "MISSED")
        line = f"{f.name[:44]:44} {show(f.qkg, f.unit):>10} {base:>12} {shown:>8}  {f.target} {verdict}".rstrip()
        print(line + (f"  [{f.baseline_name}]" if f.baseline_name else "") + (f"  {f.note}" if f.note else ""),
              file=out)


def save(figures: list[Figure], path: Path, meta: dict) -> None:
    path.write_text(json.dumps({"meta": meta, "figures": [asdict(f) | {"ratio": f.ratio} for f in figures]},
                               indent=1))
