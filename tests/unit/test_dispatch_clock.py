"""R15: the dispatch clock runs from the call to the team being told, not to the work order's row."""

from property_helpdesk.procedure import clocks as K
from tests.unit.test_clocks import C, minutes, repair


def test_r15_a_written_work_order_does_not_stop_the_dispatch_clock():
	written = repair(dispatched_at=minutes(1))
	assert K.deadlines(written, C)[K.DISPATCH] == minutes(5)  # still open: nobody told yet
	assert K.team_told(written) is None


def test_r15_the_team_told_stops_it_on_time_or_late():
	on_time = repair(dispatched_at=minutes(1), team_told_at=minutes(4))
	assert K.deadlines(on_time, C)[K.DISPATCH] is None
	assert K.team_told(on_time) == minutes(4)
	late = repair(dispatched_at=minutes(1), team_told_at=minutes(9))
	assert K.team_told(late) == minutes(9)
	# the arrival clock still starts when the work order was written
	assert K.deadlines(late, C)[K.ARRIVAL] == minutes(16)


def test_r15e_an_emergency_is_told_at_its_true_dispatch_time():
	emergency = repair(dispatched_at=minutes(2), emergency=True)
	assert K.team_told(emergency) == minutes(2)
	assert K.deadlines(emergency, C)[K.DISPATCH] is None
