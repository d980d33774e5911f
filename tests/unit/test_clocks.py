"""R15, R20–R24, R37: every clock at its edges, pauses, and the escalation ladder."""

from datetime import datetime, timedelta

from property_helpdesk.procedure import clocks as K

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
T0 = datetime(2026, 11, 27, 9, 0)
LADDER = [
	K.Step("Follow-up Owner", 0),
	K.Step("Maintenance Supervisor", 30),
	K.Step("Office Director", 60),
	K.Step("CS Manager", 120),
	K.Step("General Manager", 240),
]


def repair(**kw):
	base = dict(called_at=T0, is_repair=True, needs_answer=False, job_class=K.MINOR)
	base.update(kw)
	return K.CaseTimes(**base)


def minutes(m):
	return T0 + timedelta(minutes=m)


def ended_in_time(running: K.CaseTimes, clock: str, end) -> bool:
	"""Whether a clock that ends at `end` ended in time: the deadline it had while it ran, judged by the
	procedure's one rule of "by the deadline" (clocks.by_deadline, which R29 and R30 count by)."""
	rule = K.by_deadline(K.Field("end"), K.Field("due"))
	return K.holds(rule, {"end": end, "due": K.deadlines(running, C)[clock]})


def test_r15_dispatch_within_5_minutes_of_the_call():
	assert K.deadlines(repair(), C)[K.DISPATCH] == minutes(5)
	assert ended_in_time(repair(), K.DISPATCH, minutes(5)) is True
	assert ended_in_time(repair(), K.DISPATCH, minutes(5) + timedelta(seconds=1)) is False
	assert K.deadlines(repair(dispatched_at=minutes(3), team_told_at=minutes(3)), C)[K.DISPATCH] is None


def test_r20_arrival_within_15_minutes_of_dispatch():
	assert K.ARRIVAL not in K.deadlines(repair(), C)  # not started before dispatch
	times = repair(dispatched_at=minutes(4))
	assert K.deadlines(times, C)[K.ARRIVAL] == minutes(19)
	assert ended_in_time(times, K.ARRIVAL, minutes(19))
	assert not ended_in_time(times, K.ARRIVAL, minutes(20))


def test_r21_completion_24h_minor_72h_general_none_for_major():
	assert K.deadlines(repair(), C)[K.COMPLETION] == minutes(24 * 60)
	assert K.deadlines(repair(job_class=K.GENERAL), C)[K.COMPLETION] == minutes(72 * 60)
	major = K.deadlines(repair(job_class=K.MAJOR), C)
	assert K.COMPLETION not in major
	assert major[K.EXPLANATION] == minutes(48 * 60)  # R22 instead


def test_r22_explanation_met():
	done = repair(job_class=K.MAJOR, explained_at=minutes(47 * 60))
	assert K.deadlines(done, C)[K.EXPLANATION] is None
	assert ended_in_time(repair(job_class=K.MAJOR), K.EXPLANATION, done.explained_at)


def test_r23_answer_within_3_days_for_complaints():
	complaint = K.CaseTimes(called_at=T0, is_repair=False, needs_answer=True)
	assert K.deadlines(complaint, C) == {K.ANSWER: minutes(3 * 24 * 60)}
	late = K.CaseTimes(called_at=T0, is_repair=False, needs_answer=True, answered_at=minutes(3 * 24 * 60 + 1))
	assert ended_in_time(complaint, K.ANSWER, late.answered_at) is False


def test_r24_return_and_visit_run_from_completion_even_after_closing():
	times = repair(dispatched_at=minutes(2), arrived_at=minutes(10), completed_at=minutes(100), closed=True)
	d = K.deadlines(times, C)
	assert d[K.WORK_ORDER_RETURN] == minutes(100 + 24 * 60)
	assert d[K.RETURN_VISIT] == minutes(100 + 72 * 60)
	assert d[K.COMPLETION] is None


def test_r37_pause_holds_and_extends_pausable_clocks_only():
	paused = repair(dispatched_at=minutes(2), paused_since=minutes(30))
	d = K.deadlines(paused, C)
	assert d[K.COMPLETION] is None and d[K.ARRIVAL] == minutes(17)
	resumed = repair(dispatched_at=minutes(2), paused_minutes=90)
	assert K.deadlines(resumed, C)[K.COMPLETION] == minutes(24 * 60 + 90)
	assert ended_in_time(repair(paused_minutes=90), K.COMPLETION, minutes(24 * 60 + 90))


def test_closed_case_stops_its_running_clocks():
	assert K.deadlines(repair(closed=True), C)[K.DISPATCH] is None


def test_ladder_steps_due_in_order_and_once():
	deadline = minutes(5)
	assert K.escalations_due(deadline, LADDER, [], minutes(4)) == []
	assert [s.level for s in K.escalations_due(deadline, LADDER, [], minutes(5))] == ["Follow-up Owner"]
	due = K.escalations_due(deadline, LADDER, ["Follow-up Owner"], minutes(5 + 60))
	assert [s.level for s in due] == ["Maintenance Supervisor", "Office Director"]
	assert K.escalations_due(deadline, LADDER, [s.level for s in LADDER], minutes(10_000)) == []


def test_next_moment_is_the_earliest_pending_step():
	open_deadlines = {K.DISPATCH: minutes(5), K.COMPLETION: minutes(24 * 60), K.ARRIVAL: None}
	assert K.next_moment(open_deadlines, LADDER, {}) == minutes(5)
	done = {K.DISPATCH: {"Follow-up Owner"}}
	assert K.next_moment(open_deadlines, LADDER, done) == minutes(35)
	done = {K.DISPATCH: {s.level for s in LADDER}}
	assert K.next_moment(open_deadlines, LADDER, done) == minutes(24 * 60)
	assert K.next_moment({K.DISPATCH: None}, LADDER, {}) is None


def test_r20_arrival_runs_from_the_appointment_when_it_is_later():
	# appointment before dispatch, at dispatch, a second after, long after
	assert K.deadlines(repair(dispatched_at=minutes(4), appointment_at=minutes(1)), C)[K.ARRIVAL] == minutes(
		19
	)
	assert K.deadlines(repair(dispatched_at=minutes(4), appointment_at=minutes(4)), C)[K.ARRIVAL] == minutes(
		19
	)
	later = minutes(4) + timedelta(seconds=1)
	assert K.deadlines(repair(dispatched_at=minutes(4), appointment_at=later), C)[
		K.ARRIVAL
	] == later + timedelta(minutes=15)
	booked = repair(dispatched_at=minutes(4), appointment_at=minutes(180))
	assert K.deadlines(booked, C)[K.ARRIVAL] == minutes(195)
	# no dispatch, no arrival clock, whatever the appointment
	assert K.ARRIVAL not in K.deadlines(repair(appointment_at=minutes(180)), C)


def test_r20_arrival_on_time_is_judged_from_the_appointment():
	booked = repair(dispatched_at=minutes(4), appointment_at=minutes(180))
	assert ended_in_time(booked, K.ARRIVAL, minutes(195)) is True
	assert ended_in_time(booked, K.ARRIVAL, minutes(195) + timedelta(seconds=1)) is False
	assert K.arrival_start(None, minutes(10)) is None
	assert K.arrival_start(minutes(10), None) == minutes(10)


def test_a_new_job_starts_its_own_clocks_with_no_step_taken():
	done = {K.ARRIVAL: {"Follow-up Owner"}, K.COMPLETION: {"Follow-up Owner"}, K.RETURN_VISIT: {"CS Manager"}}
	assert K.for_job(done, "WO-1", "WO-1") is done
	assert K.for_job(done, "WO-1", "WO-2") == {K.COMPLETION: {"Follow-up Owner"}}
	assert K.for_job(done, None, "WO-1") is done  # recorded before jobs were named: the current job's
	assert K.for_job({}, "WO-1", None) == {}


def test_r4_ladder_problems():
	assert K.ladder_problems(LADDER) == []
	assert K.ladder_problems([]) == [(K.LADDER_EMPTY, None)]
	twice = [*LADDER, K.Step("Office Director", 90)]
	assert K.ladder_problems(twice) == [(K.LADDER_DUPLICATE, "Office Director")]
	early = [K.Step("Follow-up Owner", -1)]
	assert K.ladder_problems(early) == [(K.LADDER_NEGATIVE, "Follow-up Owner")]
	assert K.ladder_problems([K.Step("Follow-up Owner", 0)]) == []
