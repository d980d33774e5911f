"""Browser tests drive the desk of the test site in Debian's headless Chromium through Playwright.

Their screenshots go to $SCREENSHOTS_DIR: scripts/test.sh sets it to a folder outside the checkout
($BENCH_DIR/test-screenshots), or to docs/screenshots when asked with `scripts/test.sh --screenshots`; run
without it, they go to a folder in the system's temporary directory. A run never rewrites the committed
screenshots unless asked to.
"""

import os
import shutil
import tempfile

import pytest

BASE_URL = os.environ.get("TEST_BASE_URL", "http://127.0.0.1:8001")
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR") or os.path.join(
	tempfile.gettempdir(), "property-helpdesk-screenshots"
)


@pytest.fixture(scope="session", autouse=True)
def _connected_to_site(frappe_site):
	return frappe_site


@pytest.fixture(scope="session")
def browser():
	from playwright.sync_api import sync_playwright

	with sync_playwright() as p:
		browser = p.chromium.launch(
			executable_path=CHROMIUM,
			headless=True,
			args=[
				"--no-sandbox",
				"--disable-gpu",
				"--disable-quic",
				"--no-first-run",
				"--disable-background-networking",
				"--disable-component-update",
				"--disable-sync",
			],
		)
		yield browser
		browser.close()


def login(browser, user: str, password: str, width: int = 1366):
	"""A new Chinese-locale browser context logged in as `user` through the login page: (context, page)."""
	context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
	# a page's load may wait as long as the HTTP tests' requests do (60 s), not Playwright's 30 s: once in a
	# whole-suite run a technician's /my_jobs took longer to go quiet (it passed alone in 41 s with its file)
	context.set_default_navigation_timeout(60_000)
	page = context.new_page()
	page.goto(f"{BASE_URL}/login", wait_until="networkidle")
	page.fill("#login_email", user)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
	page.wait_for_load_state("networkidle")
	return context, page


def screenshot(page, name: str) -> str:
	os.makedirs(SCREENSHOTS, exist_ok=True)
	path = os.path.abspath(os.path.join(SCREENSHOTS, name))
	page.screenshot(path=path, full_page=True)
	return path
