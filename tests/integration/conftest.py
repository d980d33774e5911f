"""Every integration test runs connected to the real test site; each test class rolls back what it does."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _connected_to_site(frappe_site):
	return frappe_site
