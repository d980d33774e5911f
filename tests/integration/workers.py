"""A real RQ worker for the tests: the jobs a request or a test queued, performed in a process of their own,
as `bench worker` performs them."""

import os
import subprocess

from tests.conftest import BENCH_DIR, SITES_PATH, TEST_SITE


def queued_jobs(method: str, match=None, queue: str = "default", **kwargs) -> list[str]:
	"""The ids of this site's jobs waiting in RQ queue `queue` that run `method` with arguments including
	`kwargs` (and for which `match(arguments)` holds, if given)."""
	from frappe.utils.background_jobs import get_queue

	return [
		job.id
		for job in get_queue(queue).jobs
		if job.kwargs.get("site") == TEST_SITE
		and job.kwargs.get("method") == method
		and kwargs.items() <= job.kwargs.get("kwargs", {}).items()
		and (match is None or match(job.kwargs.get("kwargs", {})))
	]


# The bench's queue is shared by every test site on it: a burst worker would run the other sites' jobs too, so
# the worker is given this test's jobs (rq's SimpleWorker, the same execution path as `bench worker`).
WORKER = """
import sys
import frappe
from frappe.utils.background_jobs import get_queue, get_redis_conn
from rq import SimpleWorker
from rq.job import Job

with frappe.init_site():
	connection = get_redis_conn()
	queue = get_queue(sys.argv[1])
worker = SimpleWorker([queue], connection=connection)
worker.register_birth()
try:
	for job_id in sys.argv[2:]:
		job = Job.fetch(job_id, connection=connection)
		queue.remove(job)
		worker.execute_job(job, queue)
		assert job.get_status(refresh=True) == "finished", job.exc_info
finally:
	worker.register_death()
"""


def run_worker(job_ids: list[str], queue: str = "default") -> None:
	"""A real RQ worker of `queue`, in its own process, performs the jobs. It runs as a production worker does:
	Frappe's execute_job turns a `CI` variable into test mode, where every job the job queues would run inline."""
	subprocess.run(
		[os.path.join(BENCH_DIR, "env", "bin", "python"), "-c", WORKER, queue, *job_ids],
		cwd=SITES_PATH,
		env={key: value for key, value in os.environ.items() if key != "CI"},
		check=True,
		timeout=300,
	)
