"""One real Prefect server for the e2e tests, and the headless browser they need."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from tests.e2e.prefect_server import PrefectServer, find_chromium, in_ci

INSTALL_HINT = "install it with .ci/install-chromium.sh (Debian chromium, as root)"


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """`quelle ui` on a free port with its own PREFECT_HOME, shut down at the end."""
    server = PrefectServer(tmp_path_factory.mktemp("prefect-home"))
    with server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium; missing fails on CI and skips loudly elsewhere."""
    binary = find_chromium()
    if binary:
        return binary
    if in_ci():
        pytest.fail(f"chromium is not installed and CI is set: {INSTALL_HINT}")
    message = f"NOT TESTED: the Prefect UI check needs chromium; {INSTALL_HINT}"
    warnings.warn(message, stacklevel=1)
    pytest.skip(message)
