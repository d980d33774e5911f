"""R37: pauses that cannot be gamed: a reason from the list with its limit, an end by itself, no pause once a
pausable deadline has passed."""

from datetime import timedelta

from property_helpdesk.procedure import clocks as K
from tests.unit.test_clocks import T0, C, minutes, repair

LIMITS = {K.APPOINTMENT_PAUSE: 3 * 24 * 60, K.PARTS_PAUSE: 7 * 24 * 60, K.WEATHER_PAUSE: 0}


def test_r37_a_pause_needs_a_listed_reason_with_a_limit():
	assert K.pause_limit(K.APPOINTMENT_PAUSE, LIMITS) == 3 * 24 * 60
	assert K.pause_limit(K.PARTS_PAUSE, LIMITS) == 7 * 24 * 60
	assert K.pause_limit(K.WEATHER_PAUSE, LIMITS) is None  # a zero limit is no limit: refused
	assert K.pause_limit(K.NOT_HOME_PAUSE, LIMITS) is None  # listed, but no limit in Settings
	assert K.pause_limit("Lunch", {"Lunch": 60}) is None  # not on the list
	assert set(K.PAUSE_REASONS) == {
		"Waiting for the Resident's Appointment",
		"Waiting for Parts",
		"Resident Not Home",
		"Weather",
		"Other",
	}


def test_r37_a_pause_ends_by_itself_at_its_limit():
	assert K.pause_ends_at(minutes(30), 120) == minutes(150)
	# resumed before its end: then; after it: at its end
	assert K.pause_end(minutes(30), minutes(150), minutes(100)) == minutes(100)
	assert K.pause_end(minutes(30), minutes(150), minutes(400)) == minutes(150)
	assert K.pause_end(minutes(30), None, minutes(400)) == minutes(400)
	assert K.paused_minutes_between(minutes(30), minutes(150)) == 120


def test_r37_the_clocks_count_at_most_the_planned_length():
	paused = repair(dispatched_at=minutes(2), paused_since=minutes(30), paused_until=minutes(150))
	d = K.deadlines(paused, C)
	assert d[K.COMPLETION] is None and d[K.ARRIVAL] == minutes(17)  # held; the job's arrival is not
	# resumed late, the pause counts to its planned end only: the deadline moves by its limit
	end = K.pause_end(minutes(30), minutes(150), minutes(900))
	ended = repair(paused_minutes=K.paused_minutes_between(minutes(30), end))
	assert K.deadlines(ended, C)[K.COMPLETION] == minutes(24 * 60 + 120)
	assert K.handling(ended, C)[0] == minutes(24 * 60 + 120)


def test_r37_no_pause_once_a_pausable_deadline_has_passed():
	d = K.deadlines(repair(), C)
	assert K.past_pausable_deadlines(d, minutes(24 * 60 - 1)) == []
	assert K.past_pausable_deadlines(d, minutes(24 * 60) + timedelta(seconds=1)) == [K.COMPLETION]
	# a late dispatch is not pausable: it does not stop a pause, and the pause does not stop it
	late_dispatch = K.deadlines(repair(), C)
	assert late_dispatch[K.DISPATCH] == minutes(5)
	assert K.past_pausable_deadlines(late_dispatch, minutes(10)) == []
	assert K.DISPATCH not in K.PAUSABLE
	assert T0 < minutes(1)
