"""R29, R30: what decides a case's timeliness and a job's, as pure rules (procedure/clocks.handling, job_due)."""

from datetime import timedelta

from property_helpdesk.procedure import clocks as K
from tests.unit.test_clocks import T0, C, minutes, repair


def complaint(**kw):
	base = dict(called_at=T0, is_repair=False, needs_answer=True)
	base.update(kw)
	return K.CaseTimes(**base)


def test_r29_minor_and_general_repairs_are_judged_by_completion():
	assert K.handling(repair(), C) == (minutes(24 * 60), None)
	assert K.handling(repair(completed_at=minutes(60)), C) == (minutes(24 * 60), minutes(60))
	assert K.handling(repair(job_class=K.GENERAL), C)[0] == minutes(72 * 60)


def test_r29_major_repairs_are_judged_by_the_explanation():
	assert K.handling(repair(job_class=K.MAJOR, explained_at=minutes(100)), C) == (
		minutes(48 * 60),
		minutes(100),
	)


def test_r29_complaints_and_requests_by_the_answer_with_pauses_added():
	assert K.handling(complaint(answered_at=minutes(5)), C) == (minutes(3 * 24 * 60), minutes(5))
	assert K.handling(complaint(paused_minutes=90), C)[0] == minutes(3 * 24 * 60 + 90)


def test_r29_a_pause_under_way_leaves_the_case_undecided():
	assert K.handling(complaint(paused_since=minutes(10)), C) == (None, None)
	# once answered, the answer decides even if a pause was left open
	assert K.handling(complaint(paused_since=minutes(10), answered_at=minutes(20)), C)[1] == minutes(20)


def test_r29_enquiries_are_not_counted():
	assert K.handling(K.CaseTimes(called_at=T0, is_repair=False, needs_answer=False), C) == (None, None)


def test_r30_job_due_by_class_with_pauses_and_none_for_major_jobs():
	assert K.job_due(T0, K.MINOR, C) == minutes(24 * 60)
	assert K.job_due(T0, K.GENERAL, C, paused_minutes=30) == minutes(72 * 60 + 30)
	assert K.job_due(T0, K.MAJOR, C) is None
	assert K.job_due(T0 + timedelta(hours=5), K.MINOR, C) == minutes(29 * 60)


# -- the one definition of on time, late, pending and rework (procedure/clocks: the rules the reports count) ---

DUE = T0 + timedelta(hours=24)
SECOND = timedelta(seconds=1)


def case_row(handled=None, due=DUE, reopened=0):
	return {"handled_at": handled, "kpi_due_at": due, "reopen_count": reopened}


def job_row(completed, due=DUE, job_class=K.MINOR, rework_of=None):
	# R20–R22: a job is judged by the class it was dispatched with
	return {
		"completed_at": completed,
		"kpi_due_at": due,
		"dispatched_class": job_class,
		"rework_of": rework_of,
	}


def test_r29_on_time_to_the_second_and_never_reopened():
	now = DUE + timedelta(days=1)
	assert K.case_verdict(case_row(handled=DUE), now) == K.ON_TIME  # on the minute counts
	assert K.case_verdict(case_row(handled=DUE + SECOND), now) == K.LATE
	assert K.case_verdict(case_row(handled=T0, reopened=1), now) == K.LATE  # reopened: not fixed
	assert K.case_verdict(case_row(handled=T0, due=None), now) == K.ON_TIME  # no deadline, nothing late


def test_r29_an_open_case_is_late_past_its_deadline_and_pending_before():
	assert K.case_verdict(case_row(), DUE + SECOND) == K.LATE
	assert K.case_verdict(case_row(), DUE) == K.PENDING
	assert K.case_verdict(case_row(due=None), DUE + timedelta(days=9)) == K.PENDING  # a pause holds it
	assert K.holds(K.OVERDUE, case_row(), {"now": DUE + SECOND})
	assert not K.holds(K.OVERDUE, case_row(handled=DUE + SECOND), {"now": DUE + timedelta(days=1)})


def grid():
	"""Every combination of the values that decide a case: handled before, on, after the deadline or not at all;
	a deadline or none; reopened or not; the report run before or after the deadline."""
	for handled in (None, T0, DUE, DUE + SECOND):
		for due in (None, DUE):
			for reopened in (0, 1):
				for now in (DUE - SECOND, DUE, DUE + SECOND):
					yield case_row(handled, due, reopened), now


def test_r29_every_case_is_exactly_one_of_on_time_late_and_pending():
	for row, now in grid():
		held = [v for v, rule in K.CASE_VERDICTS if K.holds(rule, row, {"now": now})]
		assert len(held) == 1, (row, now, held)
		assert K.case_verdict(row, now) == held[0]


def test_r30_minor_jobs_on_time_late_within_the_aim():
	aim = {"aim_gap": 22 * 60}  # 24 h limit, 2 h aim
	assert K.holds(K.JOB_ON_TIME, job_row(DUE)) and not K.holds(K.JOB_LATE, job_row(DUE))
	assert K.holds(K.JOB_LATE, job_row(DUE + SECOND)) and not K.holds(K.JOB_ON_TIME, job_row(DUE + SECOND))
	assert K.holds(K.JOB_WITHIN_AIM, job_row(T0 + timedelta(hours=2)), aim)
	assert not K.holds(K.JOB_WITHIN_AIM, job_row(T0 + timedelta(hours=2) + SECOND), aim)
	general = job_row(DUE + timedelta(days=9), job_class=K.GENERAL)  # R30 counts minor/urgent jobs only
	assert not any(K.holds(rule, general, aim) for rule in (K.JOB_ON_TIME, K.JOB_LATE, K.JOB_WITHIN_AIM))
	assert K.holds(K.JOB_ON_TIME, job_row(DUE + timedelta(days=9), due=None))  # no deadline, nothing late
	assert K.minutes_late(job_row(DUE + timedelta(minutes=1, seconds=59))) == 1
	assert K.minutes_late(job_row(DUE)) is None


def test_r30_rework_and_the_breach_of_a_job():
	assert K.holds(K.REWORK, job_row(T0, rework_of="WO-1"))
	assert not K.holds(K.REWORK, job_row(T0, rework_of=""))
	assert not K.holds(K.REWORK, job_row(T0))
	assert K.job_breach(job_row(DUE + SECOND, rework_of="WO-1")) == K.REWORK_BREACH
	assert K.job_breach(job_row(DUE + SECOND)) == K.LATE_BREACH
	assert K.job_breach(job_row(DUE)) is None


def test_rules_follow_sql_logic_of_unknowns():
	"""A comparison with an empty value is unknown, as in the database: the Python side counts what SQL counts."""
	unknown = K.Cmp("<", K.DUE, K.NOW)
	assert K.truth(unknown, case_row(due=None), {"now": T0}) is None
	assert K.truth(K.Not(unknown), case_row(due=None), {"now": T0}) is None
	assert K.truth(K.all_of(unknown, K.Cmp("=", K.REOPENED, 1)), case_row(due=None), {"now": T0}) is False
	assert K.truth(K.any_of(unknown, K.Cmp("=", K.REOPENED, 0)), case_row(due=None), {"now": T0}) is True
	assert K.truth(K.any_of(unknown, K.Cmp("=", K.REOPENED, 1)), case_row(due=None), {"now": T0}) is None
	assert not K.holds(unknown, case_row(due=None), {"now": T0})
