"""Background jobs queued as the transaction commits, with the queue's Redis allowed to be down (issue 15).

Frappe's `enqueue(..., enqueue_after_commit=True)` queues its job from inside the commit: with Redis down its
ConnectionError escapes the commit, so a request that saved its documents answers a bare 500, and the work
queued behind it in the same commit is skipped. Two kinds of work go through here instead:

- recoverable (`recovered_by` names the every-minute job that does it from the rows already committed: the
  resident's messages, `resident_messages.send_due`; the team's assignment, `dispatch.tell_untold_teams`): the
  save goes on whatever Redis does, and a job that cannot be queued is only logged — its job picks it up once
  Redis is back;
- the rest (assignments, staff SMS: nothing in the database would bring them back): the save is refused whole
  with a clear error (QueueUnavailableError, 503) when Redis does not answer as the work is asked for; should
  Redis die between that moment and the commit, the loss is logged rather than turned into a 500 after a save.
"""

from functools import partial

import frappe
import redis
from frappe import _
from frappe.utils.background_jobs import get_redis_conn

from property_helpdesk.exceptions import QueueUnavailableError


def enqueue_after_commit(
	method: str, *, recovered_by: str | None = None, now: bool = False, **kwargs
) -> None:
	"""Queue `method(**kwargs)` as the current transaction commits (a save that fails queues nothing); `now`
	runs it in line (the tests' way, as Frappe's own notifications run in tests)."""
	if now:
		frappe.call(method, **kwargs)
		return
	# not while the site is being installed or migrated, which Frappe lets run without Redis
	refusable = not (recovered_by or frappe.flags.in_migrate or frappe.flags.in_install)
	if refusable and not queue_answers():
		frappe.throw(
			_(
				"The background queue is not reachable, so this cannot be saved now: nothing was saved. Try again in a minute."
			),
			exc=QueueUnavailableError,
			title=_("Try Again Shortly"),
		)
	frappe.db.after_commit.add(partial(enqueue_or_log, method, recovered_by, frappe.session.user, kwargs))


def queue_answers() -> bool:
	try:
		return bool(get_redis_conn().ping())
	except redis.exceptions.RedisError:
		return False


def enqueue_or_log(method: str, recovered_by: str | None, user: str, kwargs: dict) -> None:
	# the job runs as the user who asked for it, as Frappe's own after-commit enqueue records it (at the call)
	session_user, frappe.session.user = frappe.session.user, user
	try:
		frappe.enqueue(method, **kwargs)
	except Exception:
		# after the commit (Redis unreachable, or the queue full): raising could only turn a saved request into
		# a 500; the log says what waits for which job
		frappe.logger("property_helpdesk").warning(
			f"{method} {kwargs} not queued: "
			+ (f"{recovered_by} does it from the database" if recovered_by else "lost"),
			exc_info=True,
		)
	finally:
		frappe.session.user = session_user
