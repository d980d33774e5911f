"""R2, R12 ground 5, and the input checks of R5/R7."""

import pytest

from property_helpdesk.procedure import complaints as C
from property_helpdesk.procedure.validation import has_markup, is_valid_phone, normalise_phone


def test_r12_ground5_second_unanswered_reminder_makes_a_valid_complaint():
	assert not C.becomes_valid_by_reminders(0)
	assert not C.becomes_valid_by_reminders(1)
	assert C.becomes_valid_by_reminders(2)
	assert C.becomes_valid_by_reminders(3)


def test_r2_routing():
	assert (
		C.route_complaint(is_service_quality=True, is_major=False, beyond_authority=False)
		== C.ROUTE_OFFICE_HEAD
	)
	assert C.route_complaint(True, True, False) == C.ROUTE_LEADERSHIP
	assert C.route_complaint(False, False, True) == C.ROUTE_LEADERSHIP
	assert C.route_complaint(False, False, False) is None


@pytest.mark.parametrize(
	"number",
	["13812345678", "+8613812345678", "138 1234 5678", "0571-88889999", "010-12345678", "0571 8888999转12"],
)
def test_r7_good_phone_numbers(number):
	assert is_valid_phone(number)


@pytest.mark.parametrize("number", ["", "12345", "12812345678", "1381234567", "abc13812345678", "<b>138</b>"])
def test_r7_bad_phone_numbers(number):
	assert not is_valid_phone(number)


def test_normalise_and_markup():
	assert normalise_phone("138-1234 5678") == "13812345678"
	assert has_markup("<script>") and not has_markup("王先生")


def test_r41_a_dispute_is_chosen_or_recognised_from_the_ground():
	"""R41: the agent's choice stands; a quality ground makes a quality dissatisfaction, the developer's
	defect a warranty dispute; a ground that is no dispute, or one unchanged, recognises nothing."""
	assert C.recognise_dispute(C.COMPENSATION_CLAIM, "A4.3.1.7", True) == C.COMPENSATION_CLAIM
	assert C.recognise_dispute(None, "A4.3.1.7", True) == C.QUALITY_DISSATISFACTION
	assert C.recognise_dispute(None, "A4.3.2.2", True) == C.WARRANTY_DISPUTE
	assert C.recognise_dispute(None, "A4.3.1.1", True) is None
	assert C.recognise_dispute(None, "A4.3.1.7", False) is None  # cleared by the agent: not brought back
	assert set(C.DISPUTE_OF_GROUND.values()) <= set(C.DISPUTE_TYPES)
