"""A job's class is fixed at dispatch (R20–R22): what a change after dispatch needs, and by which class the KPIs
judge a job. Pure Python: the Job Class Change controller and the phone read these rules, unit tests prove them.

The class decides the job's clocks (R21: minor/urgent 24 h, general 72 h; R22: a major job is explained within
48 h with an expected date). It is written on the work order when it is made, from its case, and stamped again
as `dispatched_class`, which nobody changes. A change afterwards is a recorded request with a reason, which the
property's maintenance supervisor (or the office director) approves or rejects; an approved change moves the
job's clocks, while the KPI reports (R29, R30) keep judging the job by the class it was dispatched with and
list the changes beside it.
"""

from datetime import date

from property_helpdesk.procedure.clocks import GENERAL, MAJOR, MINOR

CLASSES = (MINOR, GENERAL, MAJOR)
# R22: why a job is major (the work order's `major_reason` options)
MAJOR_REASONS = ("Major Repair", "External Specialist", "Parts from Elsewhere")

# What is wrong with a request, as a key the controller turns into a translated message.
UNKNOWN_CLASS = "unknown_class"
SAME_CLASS = "same_class"
NO_REASON = "no_reason"
NO_MAJOR_REASON = "no_major_reason"
NO_EXPECTED_DATE = "no_expected_date"
PAST_EXPECTED_DATE = "past_expected_date"
JOB_CLOSED = "job_closed"
ALREADY_PENDING = "already_pending"


def kpi_class(dispatched_class: str | None, job_class: str | None) -> str | None:
	"""The class the KPIs judge a job by: the one it was dispatched with (a job made before the class was
	stamped at dispatch is judged by its own class)."""
	return dispatched_class or job_class


def request_error(
	current: str | None,
	to_class: str | None,
	reason: str | None,
	major_reason: str | None,
	expected: date | None,
	today: date,
	job_open: bool,
	pending: bool,
) -> str | None:
	"""What is wrong with a request to change a job's class, or None: an open job, no other request waiting, a
	class of the list other than the current one, a reason; to major (R22) also why it is major and the
	expected completion date, not in the past."""
	if not job_open:
		return JOB_CLOSED
	if pending:
		return ALREADY_PENDING
	if to_class not in CLASSES:
		return UNKNOWN_CLASS
	if to_class == current:
		return SAME_CLASS
	if not (reason or "").strip():
		return NO_REASON
	if to_class == MAJOR:
		if major_reason not in MAJOR_REASONS:
			return NO_MAJOR_REASON
		if expected is None:
			return NO_EXPECTED_DATE
		if expected < today:
			return PAST_EXPECTED_DATE
	return None


def deciders(supervisor: str | None, office_director: str | None) -> tuple[str, ...]:
	"""Who decides a property's class changes: its maintenance supervisor, and its office director (who also
	stands in when the property names no supervisor)."""
	return tuple(dict.fromkeys(u for u in (supervisor, office_director) if u))


def approver(supervisor: str | None, office_director: str | None, requested_by: str) -> str | None:
	"""Whom the request is assigned to: the maintenance supervisor, or the office director when there is none
	or when the supervisor asked (nobody approves their own request)."""
	for user in (supervisor, office_director):
		if user and user != requested_by:
			return user
	return None
