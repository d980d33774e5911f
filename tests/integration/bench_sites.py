"""Sites of their own for the backup and upgrade tests, made, served and dropped with the bench's real commands
(bench backup, restore, install-app, migrate, drop-site; scripts/lib.sh's start_web and link_app), beside the
test site and without touching it. Each site's Python runs in a process of its own (`site_python`): the test's
process stays connected to the test site."""

import contextlib
import glob
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

from tests.conftest import BENCH_DIR, SITES_PATH

REPO_DIR = str(Path(__file__).resolve().parents[2])
BENCH_CLI_DIR = os.environ.get("BENCH_CLI_DIR", os.path.expanduser("~/.local/share/frappe-bench-cli"))
PYTHON = os.path.join(BENCH_DIR, "env", "bin", "python")
# scripts/lib.sh's settings, which scripts/test.sh exports
DB_ROOT_PASSWORD = os.environ.get("DB_ROOT_PASSWORD", "property-helpdesk-root")
ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD", "admin")
APP = "property_helpdesk"


def run(args: list[str], cwd: str = BENCH_DIR, timeout: int = 600, env: dict | None = None) -> str:
	"""A command that must succeed; its output is in the error when it does not."""
	environment = {**os.environ, "PATH": f"{BENCH_CLI_DIR}/bin:{os.environ.get('PATH', '')}", **(env or {})}
	done = subprocess.run(
		args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False
	)
	if done.returncode:
		raise AssertionError(
			f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
		)
	return done.stdout


def bench(*args: str, timeout: int = 600, env: dict | None = None) -> str:
	"""The bench CLI, as an operator types it in the bench's folder."""
	return run([os.path.join(BENCH_CLI_DIR, "bin", "bench"), *args], timeout=timeout, env=env)


def lib(function: str, *args: str, timeout: int = 600, env: dict | None = None) -> str:
	"""A function of scripts/lib.sh (start_web, stop_web, link_app …) with the settings test.sh runs with."""
	return run(
		["bash", "-c", 'source scripts/lib.sh && "$@"', "lib.sh", function, *args],
		cwd=REPO_DIR,
		timeout=timeout,
		env=env,
	)


def root_options() -> list[str]:
	return ["--db-root-username", "root", "--db-root-password", DB_ROOT_PASSWORD]


def site_path(site: str, *parts: str) -> str:
	return os.path.join(SITES_PATH, site, *parts)


def site_config(site: str) -> dict:
	with open(site_path(site, "site_config.json")) as f:
		return json.load(f)


def prepare_site(site: str, **values) -> None:
	"""A site folder whose site_config.json names its database as Frappe would (installer._new_site) and pauses
	its scheduler from the first byte (as scripts/lib.sh new_site does), plus `values`. `bench restore` makes
	the database and its user from it; `bench new-site --force` keeps it."""
	os.makedirs(site_path(site), exist_ok=True)
	name = (
		"_" + hashlib.sha1(os.path.realpath(site_path(site)).encode(), usedforsecurity=False).hexdigest()[:16]
	)
	conf = {"db_name": name, "db_password": secrets.token_hex(8), "db_type": "mariadb", "pause_scheduler": 1}
	with open(site_path(site, "site_config.json"), "w") as f:
		json.dump({**conf, **values}, f, indent=1, sort_keys=True)


class Backup(NamedTuple):
	database: str
	public: str | None
	private: str | None
	config: str | None


def backup(site: str, folder: str, with_files: bool = True) -> Backup:
	"""`bench --site SITE backup [--with-files] --backup-path FOLDER`: the files it wrote."""
	os.makedirs(folder, exist_ok=True)
	bench("--site", site, "backup", *(["--with-files"] if with_files else []), "--backup-path", folder)
	(database,) = glob.glob(os.path.join(folder, "*-database.sql.gz"))
	stem = database[: -len("-database.sql.gz")]

	def beside(suffix):
		return stem + suffix if os.path.exists(stem + suffix) else None

	return Backup(
		database, beside("-files.tar"), beside("-private-files.tar"), beside("-site_config_backup.json")
	)


def restore(site: str, taken: Backup) -> None:
	"""`bench --site SITE restore` of a backup, with its public and private files."""
	files = []
	if taken.public:
		files += ["--with-public-files", taken.public]
	if taken.private:
		files += ["--with-private-files", taken.private]
	bench("--site", site, "restore", taken.database, *files, *root_options(), timeout=900)


def backup_key(taken: Backup) -> str | None:
	"""The encryption key in the backup's copy of the site's config: the passwords stored in the database (an SMS
	provider's secret) open only with it."""
	if not taken.config:
		return None
	with open(taken.config) as f:
		return json.load(f).get("encryption_key")


def copy_site(source: str, site: str, folder: str) -> None:
	"""`site` made a copy of `source` (database, files and encryption key) by a backup and a restore."""
	taken = backup(source, folder)
	# the copy holds the source's users, on a fresh bench all made within the hour: the source's limit on users
	# made an hour (scripts/test.sh raises the test site's) goes with them
	limit = site_config(source).get("throttle_user_limit")
	prepare_site(site, encryption_key=backup_key(taken), **({"throttle_user_limit": limit} if limit else {}))
	restore(site, taken)


def erpnext_site(site: str) -> str:
	"""`site`: a new site with ERPNext, set up for the demo company (ERPNext's setup wizard, as scripts/lib.sh
	make_site runs it) and nothing else. Installing ERPNext takes minutes, so the first such site of a bench is
	backed up to $BENCH_DIR/test-cache, under the versions of Frappe, ERPNext and the company setup it was made
	with, and later ones are restored from there. Returns how it was made."""
	key = hashlib.sha256()
	for app in ("frappe", "erpnext"):
		key.update(run(["git", "-C", os.path.join(BENCH_DIR, "apps", app), "rev-parse", "HEAD"]).encode())
	with open(os.path.join(REPO_DIR, APP, "setup", "company.py"), "rb") as f:
		key.update(f.read())
	cached = os.path.join(BENCH_DIR, "test-cache", f"erpnext-site-{key.hexdigest()[:16]}.sql.gz")
	if os.path.exists(cached):
		prepare_site(site)
		restore(site, Backup(cached, None, None, None))
		return "restored from " + cached
	lib("new_site", site, "--install-app", "erpnext", timeout=900)
	site_python(site, f"from {APP}.setup.company import complete_erpnext_setup\ncomplete_erpnext_setup()")
	folder = cached + ".new"
	shutil.rmtree(folder, ignore_errors=True)
	taken = backup(site, folder, with_files=False)
	os.replace(taken.database, cached)  # whole, or not there
	shutil.rmtree(folder, ignore_errors=True)
	return "new (cached as " + cached + ")"


def drop_site(site: str) -> None:
	"""The site, its database and its folder gone (a site left half-made by an earlier run as well)."""
	if not os.path.exists(site_path(site, "site_config.json")):
		shutil.rmtree(site_path(site), ignore_errors=True)
		return
	db_name = site_config(site).get("db_name")
	archive = os.path.join(BENCH_DIR, "archived", "test-sites")
	with contextlib.suppress(AssertionError):
		bench("drop-site", site, *root_options(), "--no-backup", "--force", "--archived-sites-path", archive)
	shutil.rmtree(archive, ignore_errors=True)
	shutil.rmtree(site_path(site), ignore_errors=True)
	if db_name:  # a site whose database was never made, or is left by a failed drop
		with contextlib.closing(root_db()) as conn, conn.cursor() as cur:
			cur.execute(f"drop database if exists `{db_name}`")
			cur.execute(f"drop user if exists '{db_name}'@'localhost'")
			cur.execute(f"drop user if exists '{db_name}'@'%'")


def root_db(database: str | None = None):
	import pymysql

	return pymysql.connect(
		host="127.0.0.1", user="root", password=DB_ROOT_PASSWORD, database=database, charset="utf8mb4"
	)


def site_db(site: str):
	"""A connection to the site's database (rows as dicts)."""
	import pymysql.cursors

	conn = root_db(site_config(site)["db_name"])
	conn.cursorclass = pymysql.cursors.DictCursor
	return conn


def rows(site: str, query: str, *params) -> list[dict]:
	with contextlib.closing(site_db(site)) as conn, conn.cursor() as cur:
		cur.execute(query, params)
		return list(cur.fetchall())


def checksums(site: str, tables: list[str] | None = None) -> dict[str, int]:
	"""MariaDB's CHECKSUM TABLE of every table of the site (or of `tables`): equal checksums, equal rows."""
	with contextlib.closing(root_db(site_config(site)["db_name"])) as conn, conn.cursor() as cur:
		if tables is None:
			cur.execute("show tables")
			tables = [row[0] for row in cur.fetchall()]
		cur.execute("checksum table " + ", ".join(f"`{table}`" for table in tables))
		return {name.split(".", 1)[1]: value for name, value in cur.fetchall()}


RESULT = "SITE-PYTHON-RESULT:"
PRELUDE = """
import json, sys
import frappe
frappe.init(site=sys.argv[1], sites_path=".")
frappe.connect()
frappe.local.lang = "en"
args = json.loads(sys.argv[2])
result = None
"""
EPILOGUE = f"""
frappe.db.commit()
print({RESULT!r} + json.dumps(result, default=str))
frappe.destroy()
"""


def site_python(site: str, code: str, args=None, path: list[str] | None = None, timeout: int = 600):
	"""Run `code` connected to `site` in a Python of the bench of its own (cwd sites/, as bench runs), with
	`path` first on sys.path (default: this checkout). `code` sees `args` and sets `result` (JSON); what it
	did is committed."""
	path = path or [REPO_DIR]
	out = run(
		[PYTHON, "-c", PRELUDE + code + EPILOGUE, site, json.dumps(args)],
		cwd=SITES_PATH,
		timeout=timeout,
		env={"PYTHONPATH": os.pathsep.join(path)},
	)
	line = next(line for line in reversed(out.splitlines()) if line.startswith(RESULT))
	return json.loads(line[len(RESULT) :])


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


@contextlib.contextmanager
def served(site: str):
	"""The site served by gunicorn on a free loopback port (scripts/lib.sh start_web), stopped afterwards."""
	port = str(free_port())
	lib("start_web", site, port, timeout=120)
	try:
		yield f"http://127.0.0.1:{port}"
	finally:
		lib("stop_web", port)


def drop_queued_jobs(*sites: str) -> None:
	"""The background jobs the sites' requests queued (no worker runs during the suite) taken off the bench's
	shared queues, so that no worker ever runs them for a site that is gone."""
	from frappe.utils.background_jobs import get_queues

	for queue in get_queues():
		for job in queue.jobs:
			if (job.kwargs or {}).get("site") in sites:
				job.delete()


class Stopwatch:
	"""Seconds taken by each named step."""

	def __init__(self):
		self.seconds: dict[str, float] = {}

	@contextlib.contextmanager
	def step(self, name: str):
		began = time.monotonic()
		try:
			yield
		finally:
			self.seconds[name] = round(time.monotonic() - began, 1)

	def write(self, name: str) -> str:
		"""The figures, kept in the bench's logs folder (pytest captures what a passing test prints)."""
		path = os.path.join(BENCH_DIR, "logs", f"{name}.json")
		with open(path, "w") as f:
			json.dump(self.seconds, f, indent=1)
		print(name, self.seconds)
		return path
