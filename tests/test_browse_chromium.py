"""`fsgrant browse` as a programme lead sees it: the command serves the worked example
on a loopback port and headless Chromium (the distribution's ``chromium``) opens the
home page. Everything stays on 127.0.0.1; the server is stopped by its process id.
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
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import fsgrant
from fsgrant.domain.money import format_pounds
from fsgrant.services.demo import run_demo

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed: .ci/run installs it from the distribution")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("chromium")).store


@pytest.fixture(scope="module")
def served(store: Path) -> Iterator[str]:
    """The command serving the store on a free loopback port: its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fsgrant", "--db", str(store), "browse", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("Serving"), line
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
        if server.stdout is not None:
            server.stdout.close()


def open_in_chromium(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, url],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_home_page_shows_the_money_at_risk_and_current_costs(served, store, tmp_path):
    with fsgrant.open(store) as fs:
        summary = fs.reports.summary()
        posts = fs.reports.posts().posts
    dom = html.unescape(open_in_chromium(f"{served}/", tmp_path, "--dump-dom").stdout)
    assert "where the grant stands" in dom
    risk = re.search(r"Underspend at risk of reclaim</td>(.*?)</tr>", dom, re.S)
    assert risk is not None
    for year in summary.funding_years:
        assert format_pounds(year.underspend_at_risk) in risk.group(1)
    # Today's costs, after the pay award, not the costs first recorded.
    for post in posts:
        cost = re.search(rf'data-post="{post.id}" data-field="annual_cost">([^<]*)<', dom)
        assert cost is not None and cost.group(1) == format_pounds(post.annual_cost)
    assert format_pounds(posts[0].annual_cost) == "£47,778.75"


def test_a_screenshot_of_the_home_page_is_not_blank(served, tmp_path):
    shot = tmp_path / "home.png"
    open_in_chromium(
        f"{served}/?as_at=31/03/2020", tmp_path, f"--screenshot={shot}", "--window-size=1280,1600"
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 1600)
    assert len(data) > 50_000  # tables of figures, not a blank or error page


def test_a_tables_column_notes_are_folded_away(served, tmp_path):
    dom = open_in_chromium(f"{served}/demo/posts", tmp_path, "--dump-dom").stdout
    folded = re.search(r"<details><summary>About the columns</summary>(.*?)</details>", dom, re.S)
    assert folded is not None
    assert 'class="column-descriptions"' in folded.group(1)
