"""Where the suite finds its real site.

Unit tests (tests/unit) import no Frappe. Integration and browser tests need a bench at $BENCH_DIR (default
~/frappe-bench) with the test site $TEST_SITE; scripts/test.sh prepares both and runs pytest with the bench's
Python. Without a bench those tests are skipped, and the session ends with a loud line saying so.
"""

import os

import pytest

BENCH_DIR = os.environ.get("BENCH_DIR", os.path.expanduser("~/frappe-bench"))
TEST_SITE = os.environ.get("TEST_SITE", "test.helpdesk.local")
SITES_PATH = os.path.join(BENCH_DIR, "sites")


def bench_missing_reason() -> str | None:
	try:
		import frappe
	except ImportError:
		return "frappe is not importable: run the suite with the bench's Python (scripts/test.sh)"
	if not os.path.exists(os.path.join(SITES_PATH, TEST_SITE, "site_config.json")):
		return f"no test site {TEST_SITE} in {SITES_PATH}: scripts/test.sh creates it"
	return None


_skipped_for_bench: list[str] = []

# Without a bench the integration and browser modules cannot even be imported (they import Frappe): they are
# not collected, and the session ends saying so.
_MISSING = bench_missing_reason()
_HERE = os.path.dirname(__file__)
_UNCOLLECTED = (
	sorted(
		os.path.relpath(os.path.join(d, f), _HERE)
		for sub in ("integration", "browser")
		for d, _dirs, files in os.walk(os.path.join(_HERE, sub))
		for f in files
		if f.startswith("test_") and f.endswith(".py")
	)
	if _MISSING
	else []
)
collect_ignore_glob = ["integration/*", "browser/*"] if _MISSING else []


def needs_site(item) -> bool:
	path = str(item.fspath)
	return "/integration/" in path or "/browser/" in path


def pytest_collection_modifyitems(config, items):
	reason = bench_missing_reason()
	if not reason:
		return
	marker = pytest.mark.skip(reason=reason)
	for item in items:
		if needs_site(item):
			item.add_marker(marker)
			_skipped_for_bench.append(item.nodeid)


def pytest_terminal_summary(terminalreporter):
	if _skipped_for_bench:
		terminalreporter.write_sep(
			"!",
			f"SKIPPED {len(_skipped_for_bench)} integration/browser tests: {bench_missing_reason()}",
			red=True,
		)
	if _UNCOLLECTED:
		terminalreporter.write_sep(
			"!", f"SKIPPED {len(_UNCOLLECTED)} integration/browser test files: {_MISSING}", red=True
		)
		for path in _UNCOLLECTED:
			terminalreporter.write_line(f"  not run: tests/{path}", red=True)


@pytest.fixture(scope="session")
def frappe_site():
	"""The session's one connection to the real test site (integration and browser tests use it)."""
	if bench_missing_reason():
		yield None
		return
	import frappe

	# Frappe writes its logs to ../logs relative to the sites folder it runs in, as bench does.
	os.chdir(SITES_PATH)
	frappe.init(site=TEST_SITE, sites_path=SITES_PATH)
	frappe.connect()
	frappe.flags.in_test = True
	frappe.local.lang = "en"
	frappe.clear_cache()
	from tests.integration.factories import ensure_fiscal_years

	ensure_fiscal_years()  # invoices post on any day of the year, the 1st of January too
	yield frappe
	frappe.db.rollback()
	frappe.destroy()
