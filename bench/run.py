"""Benchmark the nightly run end to end and against plain baselines (issue 8, "Know our speed").

    .venv/bin/python bench/run.py [--sizes 1000,10000[,100000]] [--max-pages 10000]
                                  [--workers 8] [--profile 10000] [--out bench/]

For each size N: N seed files (bench/corpus.py) citing min(N, max-pages) pages, served by
bench/server.py on 127.0.0.2-9 (8 hosts, politeness delay 0). The pipeline runs as the real
`quelle run --json` in a subprocess (Prefect local mode, fresh PREFECT_HOME, fresh warehouse),
launched through bench/server.py so the corpus host names resolve to loopback; then a second
run with nothing changed (incremental). Stage times come from the run summary; the process's
wall time minus the stages is reported apart as overhead (imports, Prefect's temporary server,
artifacts, exit). Peak RSS: /proc sampled every 0.2 s for the quelle process (and its whole
tree, Prefect server included), plus wait4's ru_maxrss. Then the baselines (bench/baselines.py)
on the same data, the targets with PASS/MISS, and bench/results.json + bench/results.md.
--profile N runs the full run of size N under `py-spy record --nonblocking` (if installed in
the venv; it samples from outside at 50 Hz) and reports the heaviest functions per stage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import baselines  # noqa: E402
import corpus  # noqa: E402
import server  # noqa: E402

PYTHON = sys.executable
STAGES = ("read_seeds", "open_warehouse", "fetch", "parse", "fingerprint", "match", "load")
RUN_TIMEOUT_S = 25 * 60
PARSE_SAMPLE = 400
MATCH_PAIRS_N = 1000


def log(msg: str) -> None:
    """Progress on stderr with a timestamp."""
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# -- Machine ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """nproc, RAM and CPU model of this machine."""
    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    return {
        # The tree is edited concurrently: which code was measured.
        "git_head": git("rev-parse", "--short", "HEAD"),
        "git_dirty": git("status", "--short", "flows", "parsers", "warehouse").splitlines(),
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


# -- Corpus -----------------------------------------------------------------------------------


def _write_page_range(args: tuple[str, int, int, int]) -> int:
    """Worker: write pages [lo, hi) (pages are independent of each other)."""
    root, lo, hi, port = args
    total = 0
    for index in range(lo, hi):
        host = corpus.page_host(index)[0]
        path = Path(root) / host / corpus.page_path(index).lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        data = corpus.to_page_html(index, port)
        path.write_bytes(data)
        total += len(data)
    return total


def ensure_pages(root: Path, n_pages: int, port: int) -> dict[str, Any]:
    """Generate pages 0..n_pages-1 under root unless a previous run left them there."""
    marker = root / "MANIFEST.json"
    if marker.exists():
        have = json.loads(marker.read_text())
        if have["port"] == port and have["pages"] >= n_pages:
            return have
    from multiprocessing import Pool

    start = time.perf_counter()
    step = 250
    jobs = [(str(root), lo, min(lo + step, n_pages), port) for lo in range(0, n_pages, step)]
    with Pool(os.cpu_count() or 1) as pool:
        total = sum(pool.map(_write_page_range, jobs))
    info = {"pages": n_pages, "port": port, "bytes": total,
            "generate_s": round(time.perf_counter() - start, 1)}
    marker.write_text(json.dumps(info))
    return info


def ensure_seeds(root: Path, n_seeds: int, n_pages: int, port: int) -> dict[str, Any]:
    """Generate the seed directory for one size unless it is already there."""
    marker = root.with_suffix(".json")
    want = {"seeds": n_seeds, "pages": n_pages, "port": port}
    if marker.exists() and root.exists():
        have = json.loads(marker.read_text())
        if {k: have.get(k) for k in want} == want:
            return have
    shutil.rmtree(root, ignore_errors=True)
    start = time.perf_counter()
    total = corpus.write_seeds(root, n_seeds, n_pages, port)
    info = {**want, "bytes": total, "generate_s": round(time.perf_counter() - start, 1)}
    marker.write_text(json.dumps(info))
    return info


# -- Server -----------------------------------------------------------------------------------


class Server:
    """bench/server.py in its own process."""

    def __init__(self, pages: Path, port: int, work: Path) -> None:
        ready = work / "server.ready"
        ready.unlink(missing_ok=True)
        self.port = port
        self.proc = subprocess.Popen(
            [PYTHON, str(HERE / "server.py"), "serve", "--pages", str(pages), "--port",
             str(port), "--ready", str(ready)],
        )
        deadline = time.time() + 120  # it reads every page first
        while not ready.exists():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("benchmark server did not start")
            time.sleep(0.1)

    def stats(self) -> dict[str, int]:
        """The server's counters."""
        import requests

        url = f"http://{corpus.HOST_ADDRESSES['tuoitre.vn']}:{self.port}/__bench/stats"
        return dict(requests.get(url, timeout=5).json())

    def cpu_s(self) -> float:
        """CPU seconds the server process has used so far (user + system, from /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Stop the server process."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# -- One pipeline run -------------------------------------------------------------------------


def cpu_ticks() -> tuple[int, int]:
    """(steal, all) CPU ticks of the machine so far, from /proc/stat ((0, 0) elsewhere)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return (0, 0)
    # user nice system idle iowait irq softirq steal; guest time is already in user.
    return (fields[7] if len(fields) > 7 else 0, sum(fields[:8]))


def steal_share(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """Share of the machine's CPU time the hypervisor gave to other guests in between: on a
    shared host it lengthens every stage's wall time without showing in its CPU time."""
    total = after[1] - before[1]
    return round((after[0] - before[0]) / total, 3) if total > 0 else None


def _children(pid: int) -> list[int]:
    """Direct children of a pid, from /proc."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _rss_kb(pid: int) -> int:
    """Resident set size of one process in KB (0 when gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """Peak RSS of a process and of its whole tree, sampled from /proc."""

    def __init__(self, pid: int, period: float = 0.2, via_parent: bool = False) -> None:
        super().__init__(daemon=True)
        self.pid, self.period = pid, period
        # Under py-spy the quelle process is py-spy's child: measure that one.
        self.via_parent = via_parent
        self.peak_main_kb = 0
        self.peak_tree_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.stop.is_set():
            kids = _children(self.pid) if self.via_parent else []
            root = kids[0] if kids else self.pid
            main = _rss_kb(root)
            tree, todo = 0, [root]
            while todo:
                p = todo.pop()
                tree += _rss_kb(p)
                todo.extend(_children(p))
            self.peak_main_kb = max(self.peak_main_kb, main)
            self.peak_tree_kb = max(self.peak_tree_kb, tree)
            self.stop.wait(self.period)


def run_env(work: Path, workers: int) -> dict[str, str]:
    """The environment of a benchmark run: loopback allowed, no pacing, fresh Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUELLE_", "PREFECT_"))}
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env.pop(k, None)
    prefect_home = work / "prefect-home"
    prefect_home.mkdir(parents=True, exist_ok=True)
    env.update({
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # The default 20 s is not enough on 2 busy cores with a fresh PREFECT_HOME.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "QUELLE_ALLOWED_NETWORKS": "127.0.0.0/8",
        "QUELLE_MIN_HOST_DELAY_S": "0",
        "QUELLE_MAX_WORKERS": str(workers),
        "QUELLE_LOCK_WAIT_S": "5",
    })
    return env


def run_pipeline(seeds: Path, db: Path, work: Path, workers: int, label: str,
                 profile_to: Path | None = None) -> dict[str, Any]:
    """`quelle run --json` once, in a subprocess; wall, stage times, peak RSS, summary."""
    out_file = work / f"{label}.stdout.json"
    err_file = work / f"{label}.stderr.log"
    cmd = [PYTHON, str(HERE / "server.py"), "quelle", "run", "--seeds", str(seeds), "--db",
           str(db), "--json"]
    if profile_to is not None:
        profile_to.with_name(profile_to.name + ".lines.json").write_text(
            json.dumps(_nightly_lines()))
        spy = Path(PYTHON).parent / "py-spy"
        cmd = [str(spy), "record", "-r", "50", "--format", "raw", "--threads", "--nonblocking",
               "-o", str(profile_to), "--", *cmd]
    log(f"{label}: {' '.join(cmd[-7:])}")
    load_before, steal_before = os.getloadavg()[0], cpu_ticks()
    start = time.perf_counter()
    with open(out_file, "wb") as out, open(err_file, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=run_env(work, workers),
                                cwd=str(work), start_new_session=True)
        _renice_group(proc.pid, os.getpriority(os.PRIO_PROCESS, 0))
        sampler = RssSampler(proc.pid, via_parent=profile_to is not None)
        sampler.start()
        status, rusage = _wait(proc, RUN_TIMEOUT_S)
        sampler.stop.set()
        sampler.join()
    wall = time.perf_counter() - start
    result: dict[str, Any] = {
        "label": label,
        "wall_s": round(wall, 2),
        "exit": status,
        "peak_rss_mb": round(sampler.peak_main_kb / 1024, 1),
        "peak_rss_tree_mb": round(sampler.peak_tree_kb / 1024, 1),
        "ru_maxrss_mb": round(rusage.ru_maxrss / 1024, 1) if rusage else None,
        "cpu_user_s": round(rusage.ru_utime, 1) if rusage else None,
        "cpu_sys_s": round(rusage.ru_stime, 1) if rusage else None,
        # Other work on the machine skews wall times: the 1-min load average around the run.
        "loadavg_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "host_steal": steal_share(steal_before, cpu_ticks()),
    }
    if status == "timeout":
        result["error"] = f"killed after {RUN_TIMEOUT_S} s"
        result["partial_timings"] = partial_timings(err_file, datetime.now())
        return result
    summary = _last_json(out_file.read_text(encoding="utf-8", errors="replace"))
    if summary is None:
        result["error"] = result.get("error") or "no JSON summary; see " + str(err_file)
        result["stderr_tail"] = err_file.read_text(errors="replace")[-2000:]
        result["partial_timings"] = partial_timings(err_file, datetime.now())
        return result
    timings = summary.get("timings", {})
    result["status"] = summary.get("status")
    result["timings"] = timings
    # The flow's own ru_maxrss at the end of each stage: the stage where it jumps needed it.
    result["stage_peak_rss_mb"] = summary.get("peak_rss_mb", {})
    # CPU seconds per stage (the flow process and its worker pools; not the page server).
    result["stage_cpu_s"] = summary.get("cpu_s", {})
    result["stages_cpu_s"] = round(sum(result["stage_cpu_s"].get(s, 0.0) for s in STAGES), 2)
    result["counts"] = summary.get("counts", {})
    result["fetch_outcomes"] = summary.get("fetch_outcomes", {})
    result["stages_s"] = round(sum(timings.get(s, 0.0) for s in STAGES), 2)
    result["overhead_s"] = round(wall - result["stages_s"], 2)
    result["recall_without_citations"] = summary.get("recall_without_citations")
    result["stories_new"] = len(summary.get("stories_new", []))
    result["prefect_start_s"] = _prefect_start(err_file)
    return result


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[Any, Any]:
    """Wait with wait4 (for the child's rusage); kill its session after the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, rusage
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            return "timeout", None
        time.sleep(0.1)


def _last_json(text: str) -> dict[str, Any] | None:
    """The JSON object `quelle run --json` printed (the last top-level one in stdout)."""
    start = text.rfind('{\n  "run_id"')
    if start < 0:
        return None
    try:
        value = json.JSONDecoder().raw_decode(text[start:])[0]
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


TASK_STAGES = {
    "read seeds": "read_seeds", "open warehouse": "open_warehouse", "fetch sources": "fetch",
    "parse pages": "parse", "fingerprint articles": "fingerprint", "match stories": "match",
    "load warehouse": "load",
}


def partial_timings(err_file: Path, ended: datetime | None = None) -> dict[str, Any]:
    """Stage times of a run that never printed its summary, from its log's timestamps.

    A stage runs from the previous stage's "Finished" line (or "Beginning flow run") to its
    own; the stage still running when the process ended is reported as "unfinished" with the
    time from its start to `ended` (local wall clock, as the log's stamps) or the last line.
    """
    marks: list[tuple[str, datetime]] = []
    last: datetime | None = None
    for line in err_file.read_text(errors="replace").splitlines():
        stamp = line[:12]
        if len(stamp) != 12 or stamp[2] != ":" or stamp[8] != ".":
            continue
        try:
            t = datetime.strptime(stamp, "%H:%M:%S.%f")
        except ValueError:
            continue
        last = t
        if "Beginning flow run" in line:
            marks.append(("begin", t))
        elif "Finished in state" in line and "Task run '" in line:
            name = line.split("Task run '", 1)[1].split("'", 1)[0].rsplit("-", 1)[0]
            if name in TASK_STAGES:
                marks.append((TASK_STAGES[name], t))
    out: dict[str, Any] = {}
    for (_, t0), (stage, t1) in zip(marks, marks[1:], strict=False):
        out[stage] = round((t1 - t0).total_seconds(), 2)
    done = [m for m, _ in marks[1:]]
    pending = next((s for s in STAGES if s not in done), None)
    if pending and marks and last is not None:
        end = last
        if ended is not None:
            end = datetime.strptime(ended.strftime("%H:%M:%S.%f")[:12], "%H:%M:%S.%f")
        out["unfinished"] = {"stage": pending,
                             "ran_s": round((max(end, last) - marks[-1][1]).total_seconds(), 1)}
    return out


def _prefect_start(err_file: Path) -> float | None:
    """Seconds from the first log line to 'Beginning flow run' (Prefect's temporary server)."""
    first = began = None
    for line in err_file.read_text(errors="replace").splitlines():
        stamp = line[:12]
        if len(stamp) == 12 and stamp[2] == ":" and stamp[8] == ".":
            try:
                t = datetime.strptime(stamp, "%H:%M:%S.%f")
            except ValueError:
                continue
            first = first or t
            if "Beginning flow run" in line:
                began = t
                break
    if first is None or began is None:
        return None
    return round((began - first).total_seconds(), 2)


def fetch_cache(db: Path, run_id_order: int) -> dict[str, Any]:
    """Cache column and bytes of the fetches of the n-th run (0 = first) in the warehouse."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        runs = [r[0] for r in con.execute("select run_id from runs order by started_at").fetchall()]
        if run_id_order >= len(runs):
            return {}
        run_id = runs[run_id_order]
        rows = con.execute(
            "select cache, status, count(*), sum(bytes) from fetches where run_id = ? "
            "group by all order by all", [run_id]
        ).fetchall()
    finally:
        con.close()
    return {
        "run_id": run_id,
        "by_cache": {f"{c}/{s}": n for c, s, n, _ in rows},
        "bytes": int(sum(b or 0 for *_, b in rows)),
    }


# -- Profile ----------------------------------------------------------------------------------

STAGE_FUNCS = {
    "read_seeds": "read_seeds_task", "open_warehouse": "open_task", "fetch": "fetch_task",
    "parse": "parse_task", "fingerprint": "fingerprint_task", "match": "match_task",
    "load": "load_task",
}


def summarize_profile(raw: Path, top: int = 12) -> dict[str, Any]:
    """py-spy raw (collapsed) stacks → samples per stage and the heaviest functions in each.

    Task call sites are recognised by flows/nightly.py line numbers as they were when the run
    started (the sidecar <raw>.lines.json written at launch), since the file may change.
    """
    sidecar = raw.with_name(raw.name + ".lines.json")
    lines = json.loads(sidecar.read_text()) if sidecar.exists() else _nightly_lines()
    per_stage: Counter[str] = Counter()
    self_time: dict[str, Counter[str]] = defaultdict(Counter)
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        # py-spy names methods Class.method: compare the last part.
        names = [f.split(" (")[0].rsplit(".", 1)[-1] for f in frames]
        stage = next((s for s, fn in STAGE_FUNCS.items() if fn in names), "other")
        if stage == "other" and "fetch_group" in names:  # the fetch pool's worker threads
            stage = "fetch"
        if stage == "other":
            # Prefect's work around a task call (walking its arguments for futures, creating
            # the task run, states): charge it to that task's stage, apart.
            calling = _calling_stage(frames, lines)
            if calling:
                stage = calling + " (prefect around the task)"
        total += n
        per_stage[stage] += n
        leaf = _short(frames[-1])
        self_time[stage][leaf] += n
        for f in dict.fromkeys(_short(f) for f in frames if "/work/main/" in f or "(" in f):
            inclusive[stage][f] += n
    out: dict[str, Any] = {"samples": total, "stages": {}}
    for stage, n in per_stage.most_common():
        out["stages"][stage] = {
            "samples": n,
            "share": round(n / total, 3) if total else 0,
            "self": [(f, c, round(c / n, 3)) for f, c in self_time[stage].most_common(top)],
            "inclusive": [(f, c, round(c / n, 3)) for f, c in inclusive[stage].most_common(top * 2)
                          if c < n],
        }
    return out


def _calling_stage(frames: list[str], lines: dict[str, str]) -> str | None:
    """Which stage's task call a stack is in, from the nightly.py line of its innermost lambda."""
    for f in reversed(frames):
        if "<lambda>" in f and "nightly.py:" in f:
            line = f.rsplit(":", 1)[-1].rstrip(")")
            return lines.get(line)
    return None


def _nightly_lines() -> dict[str, str]:
    """Line number → stage for each task call in flows/nightly.py."""
    out: dict[str, str] = {}
    try:
        text = (ROOT / "flows" / "nightly.py").read_text().splitlines()
    except OSError:
        return out
    for i, line in enumerate(text, 1):
        # The flow's call sites of each task (flows/nightly.py lambdas), by the code they hold.
        for stage, fn in STAGE_FUNCS.items():
            if f"{fn}(" in line and "def " not in line:
                out[str(i)] = stage
    return out



def _short(frame: str) -> str:
    """'name (path:line)' with the path cut to the project or site-packages part."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for cut in ("/work/main/", "site-packages/", "lib/python3.11/"):
        if cut in where:
            where = where.split(cut, 1)[1]
            break
    where = where.rsplit(":", 1)[0]
    return f"{name} ({where})"


# -- Targets and report -----------------------------------------------------------------------


def _rate(n: float, s: float | None) -> float | None:
    """n / s, rounded; None when undefined."""
    return round(n / s, 1) if s else None


def size_report(n: int, n_pages: int, full: dict[str, Any], again: dict[str, Any] | None,
                base: dict[str, Any]) -> dict[str, Any]:
    """Per-stage wall time and items/s for one size."""
    t = full.get("timings", {})
    counts = full.get("counts", {})
    items = {
        "read_seeds": n,
        "open_warehouse": None,
        "fetch": counts.get("urls_cited", n_pages),
        "parse": counts.get("urls_fetched", n_pages),
        "fingerprint": n + counts.get("urls_fetched", n_pages),
        "match": n + counts.get("urls_fetched", n_pages),
        "load": n + counts.get("urls_fetched", n_pages),
    }
    stages = {
        s: {"wall_s": t.get(s), "items": items[s],
            "items_per_s": _rate(items[s], t.get(s)) if items[s] else None,
            "peak_rss_mb": full.get("stage_peak_rss_mb", {}).get(s),
            "cpu_s": full.get("stage_cpu_s", {}).get(s)}
        for s in STAGES
    }
    return {"size": n, "pages": n_pages, "stages": stages, "full": full, "incremental": again,
            "baselines": base}


def targets(sizes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each PASS/MISS (or n/a when the size was not run)."""
    out: list[dict[str, Any]] = []

    def add(name: str, ok: bool | None, value: str) -> None:
        out.append({"target": name, "result": "n/a" if ok is None else ("PASS" if ok else "MISS"),
                    "value": value})

    s10 = sizes.get(10_000)
    name = "10k seeds + 10k pages end to end <= 120 s"
    if s10 and s10["full"].get("timings"):
        stages = s10["full"]["stages_s"]
        wall = s10["full"]["wall_s"]
        add(name, stages <= 120,
            f"stages {stages:.1f} s (process wall {wall:.1f} s incl. Prefect start/exit)")
    elif s10:
        add(name, False, f"did not finish: stopped after {s10['full']['wall_s']:.0f} s; "
            + _partial_text(s10["full"].get("partial_timings") or {}))
    else:
        add(name, None, "not run")
    complete = [v for _, v in sorted(sizes.items()) if v["full"].get("timings")]
    # The ratio targets name no size: each is reported at every size from 10k up that finished
    # (the largest alone when none did), so a size where one slips is not hidden.
    refs = [v for v in complete if v["size"] >= 10_000] or complete[-1:]
    for inc in [v for v in refs if (v.get("incremental") or {}).get("timings")]:
        a, b = inc["full"]["stages_s"], inc["incremental"]["stages_s"]
        cache = inc["incremental"].get("fetch_cache", {})
        served = inc["incremental"].get("server_delta", {}).get("ok", -1)
        no_body = cache.get("bytes", -1) == 0 and served == 0
        # Read as "costs at most 15% of a full run"; the ratio is printed for either reading.
        add(f"unchanged re-run <= 15% of a full run's time, no body downloaded ({inc['size']})",
            b <= 0.15 * a and no_body,
            f"re-run {b:.1f} s vs full {a:.1f} s ({b / a:.0%}); bodies served {served}, "
            f"fetch bytes {cache.get('bytes')}, cache {cache.get('by_cache')}")
    big = sizes.get(100_000)
    if big:
        rss = big["full"].get("peak_rss_mb")
        add("peak RSS < 1.5 GB at 100k", rss is not None and rss < 1536 and
            bool(big["full"].get("timings")), f"{rss} MB (quelle process)"
            + ("" if big["full"].get("timings") else f"; run failed: {big['full'].get('error')}"))
    else:
        add("peak RSS < 1.5 GB at 100k", None, "not run")
    for ref in [v for v in refs if v["baselines"].get("load")]:
        f_rate = ref["stages"]["fetch"]["items_per_s"]
        b_rate = ref["baselines"]["fetch"]["items_per_s"]
        add(f"fetch >= 80% of bare-session rate ({ref['size']})",
            bool(f_rate and b_rate and f_rate >= 0.8 * b_rate),
            f"{f_rate} vs {b_rate} pages/s ({(f_rate or 0) / (b_rate or 1):.0%})")
        p = ref["baselines"]["parse"]
        pipe_ms = 1000 * ref["full"]["timings"]["parse"] / max(1, ref["stages"]["parse"]["items"])
        bs_ms = p["bs4_lxml"]["ms_per_page"]
        add(f"extraction <= 2x BeautifulSoup parse ({ref['size']})", pipe_ms <= 2 * bs_ms,
            f"parse stage {pipe_ms:.1f} ms/page (parse_html alone "
            f"{p['parse_html']['ms_per_page']} ms) vs bs4(lxml) {bs_ms} ms/page "
            f"({pipe_ms / bs_ms:.2f}x)")
        lb = ref["baselines"]["load"]
        load_rate = lb["rows"] / ref["full"]["timings"]["load"]
        add(f"load >= 50% of bare Arrow rate ({ref['size']})", load_rate >= 0.5 * lb["rows_per_s"],
            f"{load_rate:,.0f} vs {lb['rows_per_s']:,} rows/s "
            f"({load_rate / lb['rows_per_s']:.0%}; same rows, {lb['arrow_mb']} MB)")
    if big and big["full"].get("timings"):
        m = big["full"]["timings"]["match"]
        fp = big["full"]["timings"].get("fingerprint")
        # Fingerprinting (features per article, computed once and stored) is its own stage.
        note = f" (match stage; fingerprinting before it {fp:.1f} s)" if fp is not None else ""
        add("matching 100k <= 60 s", m <= 60, f"{m:.1f} s{note}")
    else:
        add("matching 100k <= 60 s", None, "not run" if not big else "run failed")
    return out


def _partial_text(partial: dict[str, Any]) -> str:
    """'read_seeds 73 s, …, load > 170 s (unfinished)'."""
    parts = [f"{k} {v:.0f} s" for k, v in partial.items() if k != "unfinished"]
    if "unfinished" in partial:
        u = partial["unfinished"]
        parts.append(f"{u['stage']} > {u['ran_s']:.0f} s (unfinished)")
    return ", ".join(parts)


def to_markdown(result: dict[str, Any]) -> str:
    """bench/results.md."""
    m = result["machine"]
    lines = [
        "# quelle benchmark",
        "",
        f"Run {result['started_at']} with `{result['command']}`.",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"Linux {m['kernel']}. Server and pipeline share these CPUs.",
        "",
        "## Stages (full run, fresh warehouse)",
        "",
        "| size | pages | " + " | ".join(STAGES) + " | stages total | process wall | "
        "overhead | peak RSS | re-run stages |",
        "|---" * (len(STAGES) + 7) + "|",
    ]
    for s in result["sizes"]:
        f = s["full"]
        if not f.get("timings"):
            partial = f.get("partial_timings") or {}
            unfinished = partial.get("unfinished", {})
            cells = []
            for st in STAGES:
                if st in partial:
                    n_items = s["stages"][st]["items"]
                    rate = f"<br>{n_items / partial[st]:,.0f}/s" if n_items and partial[st] else ""
                    cells.append(f"{partial[st]:.2f} s{rate}")
                elif unfinished.get("stage") == st:
                    cells.append(f"> {unfinished['ran_s']:.0f} s, unfinished")
                else:
                    cells.append("—")
            lines.append(f"| {s['size']:,} | {s['pages']:,} | " + " | ".join(cells)
                         + f" | did not finish | stopped at {f['wall_s']} s | — | "
                         f"{f['peak_rss_mb']} MB (tree {f['peak_rss_tree_mb']} MB) | — |")
            continue
        cells = []
        for st in STAGES:
            v = s["stages"][st]
            rate = f"<br>{v['items_per_s']:,.0f}/s" if v["items_per_s"] else ""
            rss = f"<br>{v['peak_rss_mb']:,.0f} MB" if v.get("peak_rss_mb") else ""
            cpu = f"<br>CPU {v['cpu_s']:.1f} s" if v.get("cpu_s") is not None else ""
            cells.append(f"{v['wall_s']:.2f} s{rate}{cpu}{rss}")
        inc = s.get("incremental") or {}
        rerun = f"{inc['stages_s']} s" if inc.get("timings") else "—"
        cpu_total = f"<br>CPU {f['stages_cpu_s']} s" if f.get("stages_cpu_s") else ""
        if f.get("server_cpu_s") is not None:
            cpu_total += f"<br>page server CPU {f['server_cpu_s']} s"
        if f.get("host_steal") is not None:
            cpu_total += f"<br>host steal {f['host_steal']:.0%}"
        lines.append(
            f"| {s['size']:,} | {s['pages']:,} | " + " | ".join(cells)
            + f" | {f['stages_s']} s{cpu_total} | {f['wall_s']} s | {f['overhead_s']} s "
            f"(Prefect start {f.get('prefect_start_s')} s) | {f['peak_rss_mb']} MB "
            f"(tree {f['peak_rss_tree_mb']} MB) | {rerun} |"
        )
    lines += [
        "",
        "Items: read_seeds = seed files, fetch = cited URLs, parse = pages, fingerprint, match "
        "and load = seed + page articles (fingerprint: the new and changed ones). "
        "Overhead = process wall − stages: imports, Prefect's temporary "
        "server (its start measured from the log), artifacts, exit. Peak RSS = the quelle "
        "process sampled from /proc (tree = with Prefect's server); under each stage, the "
        "process's peak RSS by the end of that stage (its VmHWM, so it only grows: the stage "
        "where it jumps is the one that needed the memory). CPU = user + system seconds of the "
        "quelle process and its worker processes in that stage (the page server's not "
        "included: its CPU over the whole run is under the stages' total, with the share of the "
        "machine's CPU time the hypervisor gave other guests during the run, host steal); "
        "on 2 cores a "
        "stage cannot take less wall time than half its CPU time. The "
        "seeds' fingerprints are made by a background worker during the fetch and counted in "
        "the fingerprint stage, where it is collected.",
        "",
        "## Baselines (same data)",
        "",
        "| size | fetch: pipeline / bare Session | parse ms/page: stage / parse_html / bs4(lxml) "
        "/ lxml | load: pipeline / bare Arrow rows/s | re-run: bodies served, fetch bytes, "
        "cache |",
        "|---|---|---|---|---|",
    ]
    for s in result["sizes"]:
        b = s["baselines"]
        if not s["full"].get("timings"):
            partial = s["full"].get("partial_timings") or {}
            if b.get("fetch") and b.get("parse") and "fetch" in partial and "parse" in partial:
                p = b["parse"]
                lines.append(
                    f"| {s['size']:,} (run unfinished) | {s['pages'] / partial['fetch']:.1f} / "
                    f"{b['fetch']['items_per_s']} pages/s | "
                    f"{1000 * partial['parse'] / s['pages']:.1f} / "
                    f"{p['parse_html']['ms_per_page']} / {p['bs4_lxml']['ms_per_page']} / "
                    f"{p['lxml']['ms_per_page']} ({p['pages']} pages) | — | — |"
                )
            continue
        p = b["parse"]
        stage_ms = 1000 * s["full"]["timings"]["parse"] / max(1, s["stages"]["parse"]["items"])
        load_rate = b["load"]["rows"] / s["full"]["timings"]["load"]
        inc = s.get("incremental") or {}
        cache = inc.get("fetch_cache", {})
        lines.append(
            f"| {s['size']:,} | {s['stages']['fetch']['items_per_s']} / "
            f"{b['fetch']['items_per_s']} pages/s | {stage_ms:.1f} / "
            f"{p['parse_html']['ms_per_page']} / {p['bs4_lxml']['ms_per_page']} / "
            f"{p['lxml']['ms_per_page']} ({p['pages']} pages) | {load_rate:,.0f} / "
            f"{b['load']['rows_per_s']:,} ({b['load']['rows']:,} rows) | "
            f"{inc.get('server_delta', {}).get('ok')}, {cache.get('bytes')}, "
            f"{cache.get('by_cache')} |"
        )
    mp = result.get("match_pairs")
    if mp:
        lines += [
            "",
            f"Matching at N={mp['articles']}: all pairs ({mp['all_pairs']['pairs']:,} "
            f"score_pair calls) {mp['all_pairs']['wall_s']} s, {mp['all_pairs']['edges']} edges; "
            f"indexed match_new {mp['indexed']['wall_s']} s, {mp['indexed']['edges']} edges; "
            f"indexed recall of all-pairs edges {mp['indexed_recall_of_all_pairs']}; "
            f"fingerprinting {mp['fingerprint_s']} s.",
        ]
    lines += ["", "## Targets", "", "| target | result | value |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['result']} | {t['value']} |" for t in result["targets"]]
    profiles = [
        (f"{kind} run of size {s['size']:,}", (s.get(kind) or {}).get("profile"))
        for s in result["sizes"] for kind in ("full", "incremental")
    ] + [(p["label"], p) for p in result.get("extra_profiles", [])]
    for label, prof in profiles:
        if prof:
            lines += ["", f"## Profile (py-spy, {label}, "
                          f"{prof['summary']['samples']} samples)", ""]
            for stage, st in prof["summary"]["stages"].items():
                if st["share"] < 0.01:
                    continue
                ours = [(f, share) for f, _, share in st["inclusive"]
                        if f.split(" (", 1)[-1].startswith(("parsers/", "flows/", "warehouse/"))
                        and "<lambda>" not in f][:5]
                lines.append(f"**{stage}** ({st['share']:.0%} of samples) — self time: "
                             + "; ".join(f"{f} {share:.0%}" for f, _, share in st["self"][:6])
                             + (" — inclusive (ours): "
                                + "; ".join(f"{f} {share:.0%}" for f, share in ours)
                                if ours else ""))
                lines.append("")
    if result.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in result["notes"]]
    return "\n".join(lines) + "\n"


# -- Main -------------------------------------------------------------------------------------


def bench_size(n: int, n_pages: int, work: Path, srv: Server, workers: int, port: int,
               pages_root: Path, profile: bool, rerun: bool = True) -> dict[str, Any]:
    """Full run, incremental run and baselines for one size."""
    seeds = work / f"seeds-{n}"
    info = ensure_seeds(seeds, n, n_pages, port)
    log(f"size {n}: seeds ready ({info})")
    db = work / f"warehouse-{n}.duckdb"
    for p in (db, Path(str(db) + ".wal"), Path(str(db) + ".lock")):
        p.unlink(missing_ok=True)
    before, server_cpu = srv.stats(), srv.cpu_s()
    raw = work / f"profile-full-{n}.txt" if profile else None
    full = run_pipeline(seeds, db, work, workers, f"full-{n}", profile_to=raw)
    full["server_cpu_s"] = round(srv.cpu_s() - server_cpu, 1)
    if raw is not None and raw.exists():
        full["profile"] = {"raw": str(raw), "summary": summarize_profile(raw)}
    full["server_delta"] = _delta(srv.stats(), before)
    full["fetch_cache"] = fetch_cache(db, 0) if full.get("timings") else {}
    log(f"size {n}: full run {json.dumps({k: full.get(k) for k in ('wall_s', 'timings', 'peak_rss_mb', 'error')})}")  # noqa: E501
    again = None
    base: dict[str, Any] = {}
    if full.get("timings"):
        # Before the re-run, so the warehouse holds exactly the rows the full run loaded.
        base["load"] = baselines.load_bare(db, work / "bare-load.duckdb")
        log(f"size {n}: bare load {base['load']}")
    if full.get("timings") and rerun:
        before = srv.stats()
        raw = work / f"profile-again-{n}.txt" if profile else None
        again = run_pipeline(seeds, db, work, workers, f"again-{n}", profile_to=raw)
        if raw is not None and raw.exists():
            again["profile"] = {"raw": str(raw), "summary": summarize_profile(raw)}
        again["server_delta"] = _delta(srv.stats(), before)
        again["fetch_cache"] = fetch_cache(db, 1) if again.get("timings") else {}
        log(f"size {n}: re-run {again.get('wall_s')} s {again.get('timings')} "
            f"cache {again['fetch_cache']}")
    # Fetch and parse baselines do not need the run to have finished.
    base.update(fetch_parse_baselines(n, n_pages, port, workers, pages_root))
    return size_report(n, n_pages, full, again, base)


def fetch_parse_baselines(n: int, n_pages: int, port: int, workers: int, pages_root: Path
                          ) -> dict[str, Any]:
    """Bare-session fetch of every page and the parse comparison on a sample of them."""
    out: dict[str, Any] = {}
    urls = [corpus.page_url(i, port) for i in range(n_pages)]
    out["fetch"] = baselines.fetch_bare(urls, workers)
    log(f"size {n}: bare fetch {out['fetch']}")
    step = max(1, n_pages // PARSE_SAMPLE)
    sample = [
        (corpus.page_url(i, port),
         (pages_root / corpus.page_host(i)[0] / corpus.page_path(i).lstrip("/")).read_bytes())
        for i in range(0, n_pages, step)
    ][:PARSE_SAMPLE]
    out["parse"] = baselines.parse_compare(sample)
    log(f"size {n}: parse {out['parse']}")
    return out


def rebuild(out: Path, work: Path, workers: int) -> None:
    """Re-derive results.md (and the JSON's targets, partial timings, profile summaries) from
    bench/results.json and the logs in --work; run fetch/parse baselines a size lacks."""
    result = json.loads((out / "results.json").read_text())
    port = result["corpus"]["port"]
    srv = None
    try:
        for rep in result["sizes"]:
            for kind in ("full", "incremental"):
                run = rep.get(kind)
                if not run:
                    continue
                label = "full" if kind == "full" else "again"
                raw = work / f"profile-{label}-{rep['size']}.txt"
                err = work / f"{label}-{rep['size']}.stderr.log"
                if raw.exists():
                    run["profile"] = {"raw": str(raw), "summary": summarize_profile(raw)}
                if not run.get("timings") and err.exists():
                    # The run's end: the last write of its log or of its profile.
                    ended = max(p.stat().st_mtime for p in (err, raw) if p.exists())
                    run["partial_timings"] = partial_timings(err, datetime.fromtimestamp(ended))
            if not rep["baselines"].get("fetch"):
                if srv is None:
                    server.install_resolver()
                    srv = Server(work / "pages", port, work)
                rep["baselines"].update(
                    fetch_parse_baselines(rep["size"], rep["pages"], port, workers,
                                          work / "pages"))
    finally:
        if srv is not None:
            srv.stop()
    by_size = {rep["size"]: rep for rep in result["sizes"]}
    _write(result, by_size, out)
    print(to_markdown(result))


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    """Counter differences."""
    return {k: after.get(k, 0) - before.get(k, 0) for k in after}


def match_pairs(work: Path, port: int, pages_root: Path, n: int) -> dict[str, Any]:
    """All-pairs vs indexed matching on n articles (n/2 seeds and the n/2 pages they cite)."""
    half = n // 2
    seeds = [(f"s{j}.txt", corpus.to_seed_text(j, half, port).encode()) for j in range(half)]
    pages = [
        (corpus.page_url(i, port),
         (pages_root / corpus.page_host(i)[0] / corpus.page_path(i).lstrip("/")).read_bytes())
        for i in range(half)
    ]
    return baselines.match_compare(baselines.to_articles(seeds, pages))


def main(argv: list[str] | None = None) -> int:
    """Parse flags, run every size, write results.json and results.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 100k is opt-in: at today's speed it runs into the 25-minute cap per run.
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--max-pages", type=int, default=10_000,
                    help="distinct cited pages at most (100k seeds cite 10k pages)")
    ap.add_argument("--workers", type=int, default=8, help="QUELLE_MAX_WORKERS and bare pool")
    ap.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "quelle-bench"),
                    help="corpus, warehouses and logs (kept for reuse)")
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--profile", type=int, default=0,
                    help="run the full run of this size under py-spy")
    ap.add_argument("--skip-match-pairs", action="store_true")
    ap.add_argument("--nice", type=int, default=-10,
                    help="priority of the benchmark and its children (shared machine; root only)")
    ap.add_argument("--no-rerun", action="store_true", help="skip the unchanged re-run")
    ap.add_argument("--rebuild", action="store_true",
                    help="only re-derive the report from --out/results.json and --work")
    args = ap.parse_args(argv)
    niced = _renice(args.nice)
    if args.rebuild:
        rebuild(Path(args.out), Path(args.work), args.workers)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "settings": {"workers": args.workers, "hosts": len(corpus.HOSTS),
                     "min_host_delay_s": 0, "max_pages": args.max_pages},
        "sizes": [],
        "notes": [f"benchmark processes ran at nice {niced} (the machine is shared: other "
                  "work on its CPUs lengthens wall times; see loadavg_before_after per run)"],
    }
    addresses = sorted(set(corpus.HOST_ADDRESSES.values()))
    manifest = work / "pages" / "MANIFEST.json"
    port = json.loads(manifest.read_text())["port"] if manifest.exists() else 18080
    port = server.free_port(addresses, port)
    max_pages = min(args.max_pages, max(sizes))
    log(f"port {port}; generating up to {max_pages} pages under {work / 'pages'}")
    result["corpus"] = ensure_pages(work / "pages", max_pages, port)
    log(f"pages ready: {result['corpus']}")
    server.install_resolver()
    srv = Server(work / "pages", port, work)
    by_size: dict[int, dict[str, Any]] = {}
    try:
        for n in sizes:
            rep = bench_size(n, min(n, args.max_pages), work, srv, args.workers, port,
                             work / "pages", profile=n == args.profile, rerun=not args.no_rerun)
            by_size[n] = rep
            result["sizes"].append(rep)
            _write(result, by_size, out)
            if not rep["full"].get("timings"):
                result["notes"].append(f"size {n} did not finish: {rep['full'].get('error')}; "
                                       "larger sizes skipped")
                break
        if not args.skip_match_pairs:
            n_pairs = min(MATCH_PAIRS_N, max_pages * 2)
            log(f"all-pairs vs indexed matching at N={n_pairs}")
            result["match_pairs"] = match_pairs(work, port, work / "pages", n_pairs)
            log(f"match pairs: {result['match_pairs']}")
    finally:
        srv.stop()
    _write(result, by_size, out)
    print(to_markdown(result))
    return 0


def _renice(value: int) -> int:
    """Raise (or lower) this process's priority; children inherit it. Returns the niceness."""
    with contextlib.suppress(OSError):  # PermissionError when not root
        os.setpriority(os.PRIO_PROCESS, 0, value)
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    _renice_group(os.getpid(), niceness)
    return niceness


def _renice_group(pid: int, value: int) -> None:
    """With sched_autogroup on, nice only ranks processes inside one session: set the
    session's autogroup niceness too, or other sessions' work takes an equal CPU share."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(value))


def _write(result: dict[str, Any], by_size: dict[int, dict[str, Any]], out: Path) -> None:
    """Targets, then results.json and results.md."""
    result["targets"] = targets(by_size)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (out / "results.md").write_text(to_markdown(result))


if __name__ == "__main__":
    sys.exit(main())
