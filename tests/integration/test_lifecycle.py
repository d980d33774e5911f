"""`uninstall-app` removes the app cleanly; `install-app` and `migrate` bring it back whole.

Runs the real bench commands on a site of its own ($LIFECYCLE_SITE, made by scripts/test.sh) so the test site
keeps its app while this runs.
"""

import json
import os
import subprocess

import pytest

from tests.conftest import BENCH_DIR, SITES_PATH

LIFECYCLE_SITE = os.environ.get("LIFECYCLE_SITE", "lifecycle.helpdesk.local")
BENCH_CLI = os.path.join(
	os.environ.get("BENCH_CLI_DIR", os.path.expanduser("~/.local/share/frappe-bench-cli")), "bin", "bench"
)
APP_TABLES = ("tabService Ticket", "tabProperty Unit", "tabWarranty Rule", "tabComplaint Ground")

pytestmark = pytest.mark.skipif(
	not os.path.exists(os.path.join(SITES_PATH, LIFECYCLE_SITE, "site_config.json")),
	reason=f"no site {LIFECYCLE_SITE}: scripts/test.sh creates it",
)


def bench(*args: str) -> str:
	env = dict(os.environ, PATH=f"{os.path.dirname(BENCH_CLI)}:{os.environ['PATH']}")
	result = subprocess.run(
		[BENCH_CLI, "--site", LIFECYCLE_SITE, *args], cwd=BENCH_DIR, capture_output=True, text=True, env=env
	)
	assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
	return result.stdout


def query(sql: str) -> list[str]:
	with open(os.path.join(SITES_PATH, LIFECYCLE_SITE, "site_config.json")) as f:
		conf = json.load(f)
	result = subprocess.run(
		[
			"mariadb",
			"-h127.0.0.1",
			f"-u{conf['db_name']}",
			f"-p{conf['db_password']}",
			conf["db_name"],
			"-N",
			"-e",
			sql,
		],
		capture_output=True,
		text=True,
		check=True,
	)
	return result.stdout.split("\n")[:-1]


def app_state() -> dict:
	tables = set(query("show tables"))
	return {
		"tables": [t for t in APP_TABLES if t in tables],
		"roles": int(query("select count(*) from tabRole where name like 'Property %'")[0]),
		"doctypes": int(query("select count(*) from tabDocType where module = 'Property Helpdesk'")[0]),
		"scheduled_jobs": int(
			query("select count(*) from `tabScheduled Job Type` where method like 'property_helpdesk.%'")[0]
		),
		"custom_fields": int(
			query("select count(*) from `tabCustom Field` where module = 'Property Helpdesk'")[0]
		),
		"installed": "property_helpdesk" in bench("list-apps"),
	}


def test_uninstall_removes_the_app_and_install_restores_it():
	uninstalled = None
	try:
		bench("uninstall-app", "property_helpdesk", "--yes", "--no-backup", "--force")
		uninstalled = app_state()
	finally:
		bench("install-app", "property_helpdesk")  # leave the site as it was, whatever happened
	assert uninstalled == {
		"tables": [],
		"roles": 0,
		"doctypes": 0,
		"scheduled_jobs": 0,
		"custom_fields": 0,
		"installed": False,
	}

	bench("migrate")
	restored = app_state()
	assert restored["tables"] == list(APP_TABLES)
	assert restored["roles"] == 10 and restored["doctypes"] >= 12 and restored["installed"]
	assert restored["scheduled_jobs"] >= 5 and restored["custom_fields"] == 3
	assert query("select count(*) from `tabWarranty Rule`") == ["13"]
	assert query("select count(*) from `tabComplaint Ground`") == ["15"]
	assert query(
		"select value from tabSingles where doctype='Property Helpdesk Settings' and field='arrival_minutes'"
	) == ["15"]
	# R1 and the quiet hours: a fresh install stores Settings' hours as their defaults, not as the moment of the
	# install (Frappe gives a new document's Time fields the time of day)
	assert query(
		"select concat(field, '=', value) from tabSingles where doctype='Property Helpdesk Settings' "
		"and field in ('night_starts_at', 'night_ends_at', 'quiet_hours_from', 'quiet_hours_to') order by field"
	) == [
		"night_ends_at=08:00:00",
		"night_starts_at=22:00:00",
		"quiet_hours_from=22:00:00",
		"quiet_hours_to=07:00:00",
	]
