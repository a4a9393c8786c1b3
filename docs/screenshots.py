"""Take the README's screenshots of the web interface in headless Chromium.

    .venv/bin/pantau demo --no-serve --dir /tmp/pantau-demo      # prints the demo password
    .venv/bin/python docs/screenshots.py --db sqlite:////tmp/pantau-demo/pantau.db --password ...

Writes docs/antrian.png, docs/daftar.png, docs/dasbor.png (1366×768, the office screen) and
docs/antrian-ponsel.png (a 390×844 phone).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.repo import Repository  # noqa: E402
from tests.browser import chromium, web_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    repo = Repository(args.db)
    with web_server(repo) as base, chromium() as browser:
        for name, path, viewport in (("antrian", "/antrian", (1366, 768)), ("daftar", "/aduan", (1366, 768)),
                                     ("dasbor", "/dasbor", (1366, 768)), ("antrian-ponsel", "/antrian", (390, 844))):
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.goto(base + "/login")
            page.fill("input[name=username]", args.username)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if "/login" in page.url:
                sys.exit(f"Sign-in as {args.username} failed: check --password (no screenshot was replaced).")
            page.screenshot(path=str(ROOT / "docs" / f"{name}.png"))
            page.close()
            print(f"docs/{name}.png")
    repo.close()


if __name__ == "__main__":
    main()
