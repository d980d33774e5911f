"""R20–R22: a job's class is fixed at dispatch; a change is a request with its reason (to major: why and the
expected date, R22) decided by the supervisor; the KPIs judge a job by the class it was dispatched with."""

from datetime import date, datetime, timedelta

from property_helpdesk.procedure import clocks as K
from property_helpdesk.procedure import job_class as J

TODAY = date(2026, 12, 1)
T0 = datetime(2026, 11, 27, 9, 0)
C = K.Commitment(
	dispatch=5,
	arrival=15,
	minor_completion=24 * 60,
	general_completion=72 * 60,
	explanation=48 * 60,
	answer=3 * 24 * 60,
	work_order_return=24 * 60,
	return_visit=72 * 60,
)


def error(**kw):
	base = dict(
		current=K.MINOR,
		to_class=K.MAJOR,
		reason="需从外地采购配件",
		major_reason="Parts from Elsewhere",
		expected=TODAY + timedelta(days=7),
		today=TODAY,
		job_open=True,
		pending=False,
	)
	base.update(kw)
	return J.request_error(**base)


def test_r22_a_change_to_major_needs_its_reason_why_and_expected_date():
	assert error() is None
	assert error(reason="  ") == J.NO_REASON
	assert error(major_reason=None) == J.NO_MAJOR_REASON
	assert error(expected=None) == J.NO_EXPECTED_DATE
	assert error(expected=TODAY - timedelta(days=1)) == J.PAST_EXPECTED_DATE
	assert error(expected=TODAY) is None


def test_r21_a_change_between_minor_and_general_needs_only_a_reason():
	assert error(to_class=K.GENERAL, major_reason=None, expected=None) is None
	assert error(current=K.MAJOR, to_class=K.MINOR, major_reason=None, expected=None) is None


def test_a_request_on_a_closed_job_to_the_same_class_or_beside_a_pending_one_is_refused():
	assert error(job_open=False) == J.JOB_CLOSED
	assert error(pending=True) == J.ALREADY_PENDING
	assert error(to_class=K.MINOR) == J.SAME_CLASS
	assert error(to_class="Huge") == J.UNKNOWN_CLASS


def test_the_supervisor_approves_the_director_stands_in_and_nobody_approves_their_own():
	assert J.approver("sup", "dir", "tech") == "sup"
	assert J.approver(None, "dir", "tech") == "dir"
	assert J.approver("sup", "dir", "sup") == "dir"
	assert J.approver("sup", None, "sup") is None
	assert J.deciders("sup", "dir") == ("sup", "dir")
	assert J.deciders(None, "dir") == ("dir",)


def test_r29_a_job_is_judged_by_its_dispatched_class_while_its_clocks_follow_the_change():
	"""Dispatched minor, approved as major: the clocks now run the explanation (48 h), but R29 still asks for
	completion within 24 h of the call."""
	changed = K.CaseTimes(
		called_at=T0, is_repair=True, needs_answer=False, job_class=K.MAJOR, dispatched_class=K.MINOR
	)
	deadlines = K.deadlines(changed, C)
	assert deadlines[K.EXPLANATION] == T0 + timedelta(hours=48)
	assert K.COMPLETION not in deadlines
	assert K.handling(changed, C) == (T0 + timedelta(hours=24), None)
	done = K.CaseTimes(**{**changed.__dict__, "completed_at": T0 + timedelta(hours=30)})
	assert K.handling(done, C) == (T0 + timedelta(hours=24), T0 + timedelta(hours=30))  # late, by R21


def test_r29_a_job_dispatched_major_and_changed_is_handled_at_its_explanation_or_completion():
	changed = K.CaseTimes(
		called_at=T0,
		is_repair=True,
		needs_answer=False,
		job_class=K.MINOR,
		dispatched_class=K.MAJOR,
		completed_at=T0 + timedelta(hours=10),
	)
	assert K.handling(changed, C) == (T0 + timedelta(hours=48), T0 + timedelta(hours=10))
	assert K.deadlines(changed, C)[K.COMPLETION] is None  # its clocks: a minor job, completed


def test_r30_the_job_rules_read_the_dispatched_class():
	due = T0 + timedelta(hours=24)
	row = {"completed_at": due + timedelta(hours=1), "kpi_due_at": due, "rework_of": None}
	assert K.holds(K.JOB_LATE, {**row, "dispatched_class": K.MINOR, "job_class": K.MAJOR})
	assert not K.holds(K.JOB_LATE, {**row, "dispatched_class": K.GENERAL, "job_class": K.MINOR})
	assert J.kpi_class(None, K.GENERAL) == K.GENERAL
	assert J.kpi_class(K.MINOR, K.MAJOR) == K.MINOR
