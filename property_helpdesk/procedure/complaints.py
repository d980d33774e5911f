"""Complaint classification and routing (R2, R12–R14).

The grounds themselves (7 valid, 5 to assist with, 3 excessive) and their validity classes are data: the
Complaint Ground DocType, shipped as the fixture `property_helpdesk/fixtures/complaint_ground.json`. Only the
rules that act on them live here.
"""

# R12 ground 5: 经两次提示或督促还没有做 — the Complaint Ground fixture it names, and how many reminders it takes.
REMINDER_GROUND = "A4.3.1.5"
REMINDERS_MAKING_VALID = 2

# R12–R14: the validity classes the grounds give (Service Ticket.validity_class, R32's analysis).
VALID = "Valid Complaint"  # 有效投诉
TO_ASSIST = "Matter to Assist"  # 协办事项
EXCESSIVE = "Excessive Demand"  # 过高要求

# R2 routing targets.
ROUTE_OFFICE_HEAD = "Office Head"  # 管理处负责人
ROUTE_LEADERSHIP = "Company Leadership"  # 公司领导


def becomes_valid_by_reminders(unanswered_reminders: int) -> bool:
	"""A case not done after two reminders is a valid complaint (R12 ground 5)."""
	return unanswered_reminders >= REMINDERS_MAKING_VALID


def route_complaint(is_service_quality: bool, is_major: bool, beyond_authority: bool) -> str | None:
	"""Who decides a complaint (R2): company leadership for major or beyond-authority matters, the office
	head for service quality; None when the office's ordinary handling applies."""
	if is_major or beyond_authority:
		return ROUTE_LEADERSHIP
	if is_service_quality:
		return ROUTE_OFFICE_HEAD
	return None
