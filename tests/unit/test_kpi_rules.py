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
