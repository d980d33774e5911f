"""R15, R15e, R20–R24, R36: the rules every stamped time obeys, and who may record or correct one."""

from datetime import datetime, timedelta

from property_helpdesk.procedure import stamps as S

CALL = datetime(2026, 11, 27, 9, 0)
NOW = datetime(2026, 11, 27, 12, 0)


def test_a_time_lies_between_the_call_and_now():
	assert S.window_error(CALL, CALL, NOW) is None
	assert S.window_error(NOW, CALL, NOW) is None
	assert S.window_error(NOW + timedelta(seconds=1), CALL, NOW) == S.FUTURE
	assert S.window_error(CALL - timedelta(minutes=1), CALL, NOW) == S.BEFORE_CALL
	assert S.window_error(CALL - timedelta(minutes=1), None, NOW) is None


def test_steps_keep_their_order():
	t = {"dispatched_at": CALL, "accepted_at": CALL + timedelta(minutes=1), "arrived_at": CALL}
	assert S.out_of_order(t) == ("arrived_at", "accepted_at")
	t["arrived_at"] = CALL + timedelta(minutes=10)
	assert S.out_of_order(t) is None
	t.update(started_at=CALL + timedelta(minutes=12), completed_at=CALL + timedelta(minutes=11))
	assert S.out_of_order(t) == ("completed_at", "started_at")
	# a step not taken (None) orders nothing: an order made before 接单 existed
	assert S.out_of_order({"dispatched_at": CALL, "accepted_at": None, "arrived_at": CALL}) is None
	assert S.out_of_order({"completed_at": CALL, "confirmed_at": CALL - timedelta(seconds=1)}) == (
		"confirmed_at",
		"completed_at",
	)


def test_r15e_an_emergencys_dispatch_time_is_entered_once_between_the_call_and_now():
	at = CALL + timedelta(minutes=2)
	assert S.emergency_entry_error(True, False, at, CALL, NOW) is None
	assert S.emergency_entry_error(False, False, at, CALL, NOW) == "not_emergency"
	assert S.emergency_entry_error(True, True, at, CALL, NOW) == "already_entered"
	assert S.emergency_entry_error(True, False, NOW + timedelta(minutes=1), CALL, NOW) == S.FUTURE
	assert S.emergency_entry_error(True, False, CALL - timedelta(minutes=1), CALL, NOW) == S.BEFORE_CALL


def test_who_records_and_who_corrects():
	assert S.may_record_return({"Property Duty Staff"})
	assert not S.may_record_return({"Property Maintenance Supervisor", "Property Maintenance Technician"})
	assert S.may_amend({"Property Maintenance Supervisor"})
	assert S.may_amend({"Property Office Director"})
	assert not S.may_amend({"Property Duty Staff", "Property Maintenance Technician", "Property CS Manager"})
	assert S.may_enter_emergency_dispatch({"Property Duty Staff"})
	assert not S.may_enter_emergency_dispatch({"Property Maintenance Technician"})


def test_the_stamped_times():
	assert S.is_stamped("Repair Work Order", "arrived_at")
	assert S.is_stamped("Repair Work Order", "accepted_at")
	assert S.is_stamped("Service Ticket", "answered_at")
	assert S.is_stamped("Return Visit", "visited_at")
	assert not S.is_stamped("Repair Work Order", "appointment_at")  # agreed with the resident, typed
	assert not S.is_stamped("Service Ticket", "call_started_at")
