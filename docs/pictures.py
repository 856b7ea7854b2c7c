"""Remake the pictures the documentation shows, from the worked example:

- return-summary.png: the Summary sheet of the worked example's quarterly return,
  2019/20 Q3, from the demo's store with a Section 151 officer named (LibreOffice prints the workbook to PDF and
  pdftoppm makes its first page a PNG);
- pack.png: the first page of the month-end pack as at 31 March 2020 (headless Chromium);
- browse-home.png: `fsgrant browse`'s home page, where the grant stands as at
  31/03/2020 (the store served on 127.0.0.1 for the moment of the screenshot).

Run from the repository root, with fsgrant installed with its dev extra and
soffice, pdftoppm and chromium on the PATH:

    .venv/bin/python docs/pictures.py [PICTURE ...]

Nothing is fetched from the network: Chromium runs with background networking off and
reads only the local files and the loopback server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

DOCS = Path(__file__).resolve().parent
FSGRANT = [sys.executable, "-m", "fsgrant"]
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


def _run(*argv: str | Path) -> None:
    subprocess.run([str(a) for a in argv], check=True, capture_output=True, timeout=300)


def _demo(work: Path) -> Path:
    _run(*FSGRANT, "demo", "--out", work, "--as-at", "2020-03-31", "--force")
    return work / "demo.db"


def _chromium(url: str, shot: Path, size: str, work: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is needed to remake this picture")
    _run(browser, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}",
         f"--screenshot={shot}", f"--window-size={size}", url)  # fmt: skip


def return_summary(work: Path) -> None:
    db, workbook = _demo(work), work / "return.xlsx"
    _run(*FSGRANT, "--db", db, "grant", "set", "--s151-officer",
         "A. Finance, Executive Director of Resources (illustrative)")  # fmt: skip
    _run(*FSGRANT, "--db", db, "export", "return", "--year", "2019/20", "--quarter", "Q3",
         "--out", workbook)  # fmt: skip
    _run("soffice", "--headless", "--convert-to", "pdf", "--outdir", work, workbook)
    _run("pdftoppm", "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", "1170",
         "-scale-to-y", "-1", workbook.with_suffix(".pdf"), DOCS / "return-summary")  # fmt: skip


def pack(work: Path) -> None:
    db = _demo(work)
    page = work / "pack.html"
    _run(*FSGRANT, "--db", db, "report", "pack", "--as-at", "2020-03-31", "--out", page)
    _chromium(page.as_uri(), DOCS / "pack.png", "1000,1400", work)


def browse_home(work: Path) -> None:
    db = _demo(work)
    with socket.socket() as s:  # a free port on the loopback interface
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [*FSGRANT, "--db", str(db), "browse", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        _chromium(f"{base}/?as_at=31%2F03%2F2020", DOCS / "browse-home.png", "1280,1000", work)
    finally:
        server.terminate()
        server.wait(timeout=30)


PICTURES = {
    "return-summary.png": return_summary,
    "pack.png": pack,
    "browse-home.png": browse_home,
}


def main(names: list[str]) -> None:
    for name in names or list(PICTURES):
        with tempfile.TemporaryDirectory() as tmp:
            PICTURES[name](Path(tmp))
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main(sys.argv[1:])
