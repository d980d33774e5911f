"""README's two commands run like a production Frappe bench and leave the checkout alone (issue 15, "Run like a
production Frappe site").

- Command 2 (scripts/test.sh) writes the browser tests' screenshots outside the checkout unless asked, and the
  sites it makes are paused from their first byte, so a bench scheduler on the machine (the demo's) never runs
  their jobs, not even while they are being made.
- Command 1 (scripts/bootstrap.sh) runs the bench's processes under supervisor, from the config bench's own
  `bench setup supervisor` writes, adapted by scripts/supervisor_conf.py: bound to 127.0.0.1, one program per
  process, each the real process (no wrapper shell), logs rotated.

What needs the machine's supervisord (kill -9 of a worker, a re-run, counting processes) is shown in
docs/operations.md, "Processes"; CI has no supervisord running.
"""

import configparser
import json
import os
import shlex
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from tests.conftest import BENCH_DIR, SITES_PATH, TEST_SITE

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LIB = os.path.join(REPO, "scripts", "lib.sh")


def lib(command: str, timeout: int = 600) -> subprocess.CompletedProcess:
	"""Run `command` in bash with scripts/lib.sh sourced, as the scripts do."""
	return subprocess.run(
		["bash", "-c", f"set -euo pipefail; source {shlex.quote(LIB)}; {command}"],
		capture_output=True,
		text=True,
		timeout=timeout,
		env={**os.environ, "BENCH_DIR": BENCH_DIR},
	)


TICK = """
import json, sys
import frappe
from rq.exceptions import NoSuchJobError
from rq.job import Job
from frappe.utils.background_jobs import create_job_id, get_redis_conn
from frappe.utils.scheduler import enqueue_events_for_site

site, discard = sys.argv[1], sys.argv[2] == "1"
if not discard:
	frappe.init(site=site)
	frappe.connect()
	frappe.db.sql("update `tabScheduled Job Type` set last_execution = now() - interval 1 day")
	frappe.db.commit()
	frappe.destroy()
	enqueue_events_for_site(site)  # what the bench's scheduler runs for each site at each tick
frappe.init(site=site)
frappe.connect()
jobs = 0
for job_type in frappe.get_all("Scheduled Job Type", pluck="name"):
	# queued, running or done (a worker may have run it already): the job the tick made for this site
	try:
		job = Job.fetch(create_job_id(frappe.get_doc("Scheduled Job Type", job_type).rq_job_id), get_redis_conn())
	except NoSuchJobError:
		continue
	jobs += 1
	if discard:
		job.delete()
print(json.dumps({"jobs": jobs, "logs": frappe.db.count("Scheduled Job Log")}))
"""


def tick(site: str, discard: bool = False) -> dict:
	ran = subprocess.run(
		[os.path.join(BENCH_DIR, "env", "bin", "python"), "-c", TICK, site, "1" if discard else "0"],
		capture_output=True,
		text=True,
		cwd=SITES_PATH,
		timeout=300,
	)
	if discard:
		return {}
	assert ran.returncode == 0, ran.stderr[-3000:]
	return json.loads(ran.stdout.strip().splitlines()[-1])


def git_status(path: str) -> str:
	return subprocess.run(
		["git", "-C", REPO, "status", "--porcelain", "--", path], capture_output=True, text=True, check=True
	).stdout.strip()


class TestScreenshots:
	def test_screenshots_go_outside_the_checkout_unless_asked(self, tmp_path):
		from tests.browser import conftest as browser

		asked = os.environ.get("SCREENSHOTS") == "docs"
		folder = os.path.realpath(browser.SCREENSHOTS)
		if asked:
			assert folder == os.path.join(os.path.realpath(REPO), "docs", "screenshots")
			return
		assert not (folder + os.sep).startswith(os.path.realpath(REPO) + os.sep), folder
		before = os.environ.get("SCREENSHOTS_GIT_BEFORE", git_status("docs/screenshots")).strip()

		name = f"ops-{uuid.uuid4().hex[:8]}.png"
		# in a process of its own: the browser tests' Playwright may still hold this one's event loop
		shot = textwrap.dedent(
			f"""
			from playwright.sync_api import sync_playwright
			from tests.browser import conftest as browser
			with sync_playwright() as p:
				chromium = p.chromium.launch(
					executable_path=browser.CHROMIUM, headless=True, args=["--no-sandbox"]
				)
				page = chromium.new_page()
				page.set_content("<h1>ops</h1>")
				print(browser.screenshot(page, {name!r}))
				chromium.close()
			"""
		)
		done = subprocess.run(
			[sys.executable, "-c", shot], cwd=REPO, capture_output=True, text=True, timeout=120
		)
		assert done.returncode == 0, done.stderr
		path = done.stdout.strip().splitlines()[-1]
		try:
			assert os.path.dirname(path) == folder and os.path.getsize(path) > 0
			assert not os.path.exists(os.path.join(REPO, "docs", "screenshots", name))
			assert git_status("docs/screenshots") == before.strip()
		finally:
			os.remove(path)

	def test_the_browser_tests_left_docs_screenshots_as_they_were(self):
		"""Whatever ran before this test in the same run (the browser tests sort first) wrote nothing there."""
		if os.environ.get("SCREENSHOTS") == "docs":
			pytest.skip("this run was asked to write docs/screenshots (scripts/test.sh --screenshots)")
		before = os.environ.get("SCREENSHOTS_GIT_BEFORE")
		if before is None:
			pytest.skip("not run by scripts/test.sh, which records git's status of docs/screenshots first")
		assert git_status("docs/screenshots") == before.strip()


class TestSitesBornPaused:
	def test_the_test_site_is_paused(self):
		with open(os.path.join(SITES_PATH, TEST_SITE, "site_config.json")) as f:
			assert json.load(f).get("pause_scheduler")

	def test_a_new_site_is_paused_from_its_first_byte(self):
		"""new_site (which make_site calls) writes pause_scheduler before Frappe makes anything: every state of
		the site's site_config.json, from the first one seen, says so, and Frappe's own check agrees after."""
		site = f"ops-{uuid.uuid4().hex[:8]}.local"
		config = os.path.join(SITES_PATH, site, "site_config.json")
		seen: list[object] = []
		done = threading.Event()

		def watch():
			while not done.is_set():
				try:
					with open(config) as f:
						seen.append(json.load(f).get("pause_scheduler"))
				except (FileNotFoundError, json.JSONDecodeError):
					pass
				time.sleep(0.02)

		watcher = threading.Thread(target=watch)
		watcher.start()
		try:
			made = lib(f"new_site {site}")
			done.set()
			watcher.join()
			assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
			assert seen and all(seen), seen[:5]

			# As setup_complete does on an ERPNext site: System Settings' scheduler on. The pause still holds.
			assert lib(f"bench --site {site} enable-scheduler").returncode == 0
			status = lib(f"bench --site {site} scheduler status --format json")
			assert json.loads(status.stdout.strip().splitlines()[-1])["status"] == "disabled", status.stdout
			# The bench scheduler's tick for this site, every job due: nothing enqueued while paused; resumed, the
			# same tick enqueues the jobs (so the first figure is not empty for another reason).
			paused = tick(site)
			assert paused == {"jobs": 0, "logs": 0}
			assert lib(f"bench --site {site} scheduler resume").returncode == 0
			assert tick(site)["jobs"] > 0
		finally:
			done.set()
			watcher.join()
			tick(site, discard=True)
			lib(
				f'bench drop-site {site} --force --no-backup --db-root-username root --db-root-password "$DB_ROOT_PASSWORD"'
			)
			lib(f"rm -rf {shlex.quote(os.path.join(SITES_PATH, site))}")


class TestSupervisorConfig:
	@pytest.fixture(scope="class")
	def config(self, tmp_path_factory):
		out = tmp_path_factory.mktemp("supervisor") / "supervisor.conf"
		made = lib(f"supervisor_conf {shlex.quote(str(out))}")
		assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
		parsed = configparser.RawConfigParser(interpolation=None, strict=False)
		parsed.optionxform = str
		parsed.read(out)
		return parsed

	@staticmethod
	def programs(config) -> dict[str, configparser.SectionProxy]:
		bench = os.path.basename(BENCH_DIR)
		return {
			s.split(":", 1)[1].removeprefix(f"{bench}-"): config[s]
			for s in config.sections()
			if s.startswith("program:")
		}

	def test_one_program_per_process_each_the_real_process(self, config):
		programs = self.programs(config)
		assert set(programs) == {
			"frappe-web",
			"frappe-schedule",
			"frappe-short-worker",
			"frappe-long-worker",
			"redis-cache",
			"redis-queue",
		}
		for name, options in programs.items():
			argv = shlex.split(options["command"])
			# supervisor runs the command itself: no shell, no nohup, nothing backgrounded
			assert os.path.basename(argv[0]) in {"gunicorn", "bench", "redis-server"}, (name, argv)
			assert not {"sh", "bash", "nohup", "&", "&&", ";"} & set(argv), (name, argv)
			assert options.get("autorestart") == "true", name
		# the app's queues (hooks and enqueue calls use short, default and long) each have a worker
		queues = {
			q
			for name in ("frappe-short-worker", "frappe-long-worker")
			for q in shlex.split(programs[name]["command"])[-1].split(",")
		}
		assert {"short", "default", "long"} <= queues

	def test_everything_listens_on_127_0_0_1_only(self, config):
		programs = self.programs(config)
		web = shlex.split(programs["frappe-web"]["command"])
		binds = [web[i + 1] for i, arg in enumerate(web) if arg in ("-b", "--bind")]
		assert binds == [f"127.0.0.1:{os.environ.get('WEB_PORT', '8000')}"]
		assert (
			programs["frappe-web"]["environment"]
			== f'FRAPPE_SITE="{os.environ.get("SITE", "helpdesk.local")}"'
		)
		assert "loopback_wsgi:application" in web
		for name in ("redis-cache", "redis-queue"):
			conf = shlex.split(programs[name]["command"])[1]
			with open(conf) as f:
				binds = [line.split()[1:] for line in f if line.startswith("bind ")]
			assert binds == [["127.0.0.1"]], (name, binds)
		# supervisord itself is driven through its unix socket, never a TCP port
		main = "/etc/supervisor/supervisord.conf"
		if os.path.exists(main):
			with open(main) as f:
				assert "[inet_http_server]" not in f.read()

	def test_each_process_logs_to_its_own_rotated_files(self, config):
		files = []
		for name, options in self.programs(config).items():
			for stream in ("stdout", "stderr"):
				files.append(options[f"{stream}_logfile"])
				assert options[f"{stream}_logfile_maxbytes"].endswith("MB"), name
				assert int(options[f"{stream}_logfile_backups"]) > 0, name
		assert len(files) == len(set(files))
		assert all(f.startswith(os.path.join(BENCH_DIR, "logs") + os.sep) for f in files)
