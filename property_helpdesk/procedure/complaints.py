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


# R41–R42: disputes arising from repairs (Service Ticket.dispute_type), which the property's own office director
# (管理处主任, first responsible) handles and meets the owner about.
WARRANTY_DISPUTE = "Warranty Dispute"  # 保修纠纷
COMPENSATION_CLAIM = "Compensation Claim"  # 索赔
QUALITY_DISSATISFACTION = "Quality Dissatisfaction"  # 质量不满
DISPUTE_TYPES = (WARRANTY_DISPUTE, COMPENSATION_CLAIM, QUALITY_DISSATISFACTION)
# The complaint grounds (fixture) that are such a dispute by their own words: A4.3.1.7 供方承包的工作不符合质量
# 要求 (work done below the quality required), A4.3.2.2 开发商…房屋存在漏水等质量问题 (a defect the warranty covers).
DISPUTE_OF_GROUND = {"A4.3.1.7": QUALITY_DISSATISFACTION, "A4.3.2.2": WARRANTY_DISPUTE}


def recognise_dispute(chosen: str | None, ground: str | None, ground_changed: bool) -> str | None:
	"""R41: the dispute the agent chose stands; a case left without one is recognised from its complaint
	ground when the ground is set or changed (a choice cleared later by the agent is not brought back)."""
	if chosen:
		return chosen
	if ground_changed:
		return DISPUTE_OF_GROUND.get(ground or "")
	return None
