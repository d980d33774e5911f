"""Connect the test session to the real test site once; every test class rolls back what it does."""

import os

import pytest

from tests.conftest import SITES_PATH, TEST_SITE, bench_missing_reason


@pytest.fixture(scope="session", autouse=True)
def frappe_site():
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
	yield frappe
	frappe.db.rollback()
	frappe.destroy()
