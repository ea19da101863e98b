"""A real Prefect server, `quelle` subprocesses against it, and headless Chromium for its UI.

    with PrefectServer(tmp_path / "prefect") as server:   # `quelle ui` on a free 127.0.0.1 port
        proc = run_quelle(server, "run", "--offline", "--seeds", str(seeds), "--db", str(db))
        with server.client() as client:                    # this process's settings untouched
            runs = client.read_flow_runs()
        page = render_page(find_chromium(), server.url(f"/runs/flow-run/{runs[0].id}"), png)

Everything binds 127.0.0.1; telemetry is off; each server has its own PREFECT_HOME (SQLite).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flows.deploy import ui_env

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# Measured here: healthy after 12-15 s on 2 idle cores, 35-100 s when other jobs load them.
STARTUP_TIMEOUT_S = 240.0
# Variables that would steer a child away from 127.0.0.1 or from the test's own settings.
_DROP_PREFIXES = ("QUELLE_", "PREFECT_")
_DROP = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without proxies, QUELLE_* or PREFECT_* variables, plus `extra`."""
    env = {
        k: v for k, v in os.environ.items()
        if k not in _DROP and not k.startswith(_DROP_PREFIXES)
    }
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


class Gone(RuntimeError):
    """A process a test waits on has exited; waiting longer is pointless."""


def check_alive(proc: subprocess.Popen[Any], what: str, log: Path) -> None:
    """Raise Gone with the end of the log if proc has exited."""
    if proc.poll() is not None:
        tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        raise Gone(f"{what} exited with {proc.returncode}:\n{tail}")


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float, every_s: float = 0.5) -> T:
    """Call probe until it returns something other than None, or fail after timeout_s.

    Errors from probe count as "not yet", except Gone, which ends the wait at once.
    """
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
        except Gone:
            raise
        except Exception as exc:  # the thing waited for may not answer yet
            last_error = exc
        else:
            if value is not None:
                return value
        time.sleep(every_s)
    raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what} ({last_error!r})")


def stop_process(proc: subprocess.Popen[Any], timeout_s: float = 20.0) -> None:
    """SIGTERM the child's own process group, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # started with start_new_session: group == pid
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout_s)
    except ProcessLookupError:
        pass


def quelle_command(*args: str) -> list[str]:
    """`quelle ARGS` through this interpreter, so the test's virtualenv is the one used."""
    return [sys.executable, "-m", "flows.cli", *args]


@dataclass
class PrefectServer:
    """`quelle ui --port N` as a subprocess, with its own PREFECT_HOME."""

    home: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        """The REST API root the clients use."""
        return f"http://127.0.0.1:{self.port}/api"

    def url(self, path: str = "/") -> str:
        """An address on the server (UI pages, /api/...)."""
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def log_path(self) -> Path:
        """Where the server's stdout and stderr go."""
        return self.home / "server.log"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a client process that talks to this server."""
        return clean_env(PREFECT_HOME=str(self.home), PREFECT_API_URL=self.api_url, **extra)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's log, for failure messages."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def start(self) -> PrefectServer:
        """Start the server and wait until /api/health answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        env = ui_env(self.port, clean_env(PREFECT_HOME=str(self.home)))
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                quelle_command("ui", "--port", str(self.port)),
                cwd=self.home, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        try:
            wait_for(f"{self.url('/api/health')}", self._healthy, STARTUP_TIMEOUT_S)
        except Exception:
            self.stop()
            raise
        return self

    def _healthy(self) -> bool | None:
        """True once the API answers; raises if the server process died."""
        assert self.proc is not None
        check_alive(self.proc, "prefect server", self.log_path)
        with urllib.request.urlopen(self.url("/api/health"), timeout=2) as r:  # noqa: S310
            return True if r.status == 200 else None

    def stop(self) -> None:
        """Shut the server down (its whole process group)."""
        if self.proc is not None:
            stop_process(self.proc)

    def __enter__(self) -> PrefectServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextmanager
    def client(self) -> Iterator[Any]:
        """A sync Prefect client for this server; the test process's settings stay as they were."""
        from prefect import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with (
            temporary_settings(updates={PREFECT_API_URL: self.api_url}),
            get_client(sync_client=True) as client,
        ):
            yield client


def run_quelle(
    server: PrefectServer, *args: str, cwd: Path | None = None, timeout_s: float = 240.0,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """Run `quelle ARGS` to completion against the server; output captured as text."""
    return subprocess.run(
        quelle_command(*args), cwd=cwd or ROOT, env=server.env(**env), capture_output=True,
        text=True, timeout=timeout_s, stdin=subprocess.DEVNULL, check=False,
    )


def start_quelle(
    server: PrefectServer, *args: str, log: Path, cwd: Path | None = None, **env: str
) -> subprocess.Popen[bytes]:
    """Start `quelle ARGS` against the server in its own process group; output to log."""
    with log.open("wb") as out:
        return subprocess.Popen(
            quelle_command(*args), cwd=cwd or ROOT, env=server.env(**env), stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )


def find_chromium() -> str | None:
    """The headless browser on PATH (Debian's `chromium` package), if any."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def in_ci() -> bool:
    """True on CI machines (CI=true, as GitHub, GitLab and .ci/run set it)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def chromium_args(binary: str, profile: Path) -> list[str]:
    """Headless Chromium that stays off the network except for what it is told to open."""
    return [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ]


def render_page(
    binary: str, url: str, screenshot: Path, budget_ms: int = 15000, timeout_s: float = 90.0
) -> str:
    """Render url (a JS app) with a virtual-time budget; save a PNG and return the page text.

    15 s of virtual time took 6-18 s of real time here; on a loaded machine one attempt in a
    few hung for minutes, so the caller retries (subprocess.TimeoutExpired) rather than wait.
    """
    with tempfile.TemporaryDirectory(prefix="quelle-chromium-") as profile:
        args = chromium_args(binary, Path(profile)) + [
            f"--virtual-time-budget={budget_ms}", "--dump-dom", f"--screenshot={screenshot}", url,
        ]
        # Its own process group, so a hung attempt takes its renderer and GPU processes along.
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL, env=clean_env(), cwd=profile, start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout_s)
        finally:
            stop_process(proc, timeout_s=5)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited with {proc.returncode}: {err[-2000:]}")
    return dom_text(out)


def dom_text(dom: str) -> str:
    """The visible text of a dumped DOM, whitespace collapsed."""
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def keep_screenshot(png: Path) -> Path | None:
    """Copy png to tests/e2e/artifacts/ when QUELLE_KEEP_SCREENSHOTS=1."""
    if os.environ.get("QUELLE_KEEP_SCREENSHOTS") != "1":
        return None
    out = Path(__file__).resolve().parent / "artifacts"
    out.mkdir(exist_ok=True)
    return Path(shutil.copy2(png, out / png.name))
