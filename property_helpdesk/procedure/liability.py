"""Initial judgement of the liable party at intake (R7, R15–R19).

`propose_liability` takes what the duty staff know at the first call and proposes the R15 branch, the
R16 party and, for the parent developer, whether the company repairs on the developer's behalf (R17).
Staff may override the proposal; the case keeps both.
"""

from dataclasses import dataclass
from datetime import date

from property_helpdesk.procedure.warranty import Period, Season, warranty_ends

# Where the defect is (R15 a/b).
PRIVATE = "Private Part"  # 业主自用部位/自用设施
COMMON = "Common Facility"  # 共用设施设备

# R15 branches.
BRANCH_PRIVATE_PAID = "Private Part - Paid Service"  # R15a
BRANCH_COMMON = "Common Facility"  # R15b
BRANCH_OWNER_LIABLE = "Owner Liable"  # R15c
BRANCH_SURVEY = "Joint Site Survey"  # R15c, liability unclear
BRANCH_DEVELOPER = "Developer Defect"  # R15d

# R16 parties, plus the company's own upkeep of common facilities under the service contract (R18).
DEVELOPER = "Developer"  # 开发商
MAINTENANCE_FUND = "Maintenance Fund"  # 物业维修基金
OWNER = "Owner"  # 业主
PROPERTY_COMPANY = "Property Company"  # 物业公司 (service contract)
UNDETERMINED = "To Be Determined"  # 待现场查勘认定

# R17 developer types.
PARENT_DEVELOPER = "Parent Developer"
EXTERNAL_DEVELOPER = "External Developer"


@dataclass(frozen=True)
class LiabilityInput:
	location: str  # PRIVATE or COMMON
	is_quality_defect: bool  # 房屋质量问题
	owner_caused: bool = False
	liability_unclear: bool = False
	is_emergency: bool = False  # 急修抢修, R15e
	developer_type: str | None = None
	completion_date: date | None = None  # 竣工验收
	handover_date: date | None = None  # 交付
	builder_period: Period | None = None
	owner_minimum: Period | None = None
	seasons: dict[str, Season] | None = None  # the property's heating and cooling seasons
	reported_on: date | None = None


@dataclass(frozen=True)
class Liability:
	branch: str
	party: str
	paid_service: bool  # R15a, R19: the owner pays, fee schedule shown
	repairs_on_behalf: bool  # R17: company repairs for the parent developer
	needs_liaison_sheet: bool  # R17, R18, R40
	builder_warranty_end: date | None
	owner_warranty_end: date | None
	reason: str  # one of the REASON_* keys, translated by the caller


REASON_PRIVATE = "Owner's private part: a paid service at the published fee schedule."
REASON_COMMON = "Common facility maintained by the company's maintenance team under the service contract."
REASON_OWNER_CAUSED = "Damage caused by the owner: the owner is liable."
REASON_PAST_WARRANTY_PRIVATE = "Past the handover warranty: the owner is liable."
REASON_PAST_WARRANTY_COMMON = (
	"Common facility past the handover warranty: the maintenance fund bears the cost."
)
REASON_UNCLEAR = "Liability cannot be determined at intake: a joint site survey is needed."
REASON_DEVELOPER = "Within the handover warranty: a defect left by the developer."
REASON_ON_BEHALF = (
	"Within the handover warranty but past the builder's warranty: "
	"the company repairs on the parent developer's behalf."
)


REASONS = (
	REASON_PRIVATE,
	REASON_COMMON,
	REASON_OWNER_CAUSED,
	REASON_PAST_WARRANTY_PRIVATE,
	REASON_PAST_WARRANTY_COMMON,
	REASON_UNCLEAR,
	REASON_DEVELOPER,
	REASON_ON_BEHALF,
)


def propose_liability(facts: LiabilityInput) -> Liability:
	ends = warranty_ends(
		facts.completion_date,
		facts.handover_date,
		facts.builder_period,
		facts.owner_minimum,
		facts.seasons,
	)

	def result(branch, party, reason, paid=False, on_behalf=False):
		return Liability(
			branch=branch,
			party=party,
			paid_service=paid,
			repairs_on_behalf=on_behalf,
			needs_liaison_sheet=party == DEVELOPER,
			builder_warranty_end=ends.builder_end,
			owner_warranty_end=ends.owner_end,
			reason=reason,
		)

	if not facts.is_quality_defect:
		if facts.location == PRIVATE:
			return result(BRANCH_PRIVATE_PAID, OWNER, REASON_PRIVATE, paid=True)
		return result(BRANCH_COMMON, PROPERTY_COMPANY, REASON_COMMON)

	if facts.owner_caused:
		return result(BRANCH_OWNER_LIABLE, OWNER, REASON_OWNER_CAUSED, paid=True)

	if facts.liability_unclear or ends.owner_end is None or facts.reported_on is None:
		return result(BRANCH_SURVEY, UNDETERMINED, REASON_UNCLEAR)

	if facts.reported_on <= ends.owner_end:
		on_behalf = (
			facts.developer_type == PARENT_DEVELOPER
			and ends.builder_end is not None
			and facts.reported_on > ends.builder_end
		)
		return result(
			BRANCH_DEVELOPER,
			DEVELOPER,
			REASON_ON_BEHALF if on_behalf else REASON_DEVELOPER,
			on_behalf=on_behalf,
		)

	if facts.location == PRIVATE:
		return result(BRANCH_OWNER_LIABLE, OWNER, REASON_PAST_WARRANTY_PRIVATE, paid=True)
	return result(BRANCH_COMMON, MAINTENANCE_FUND, REASON_PAST_WARRANTY_COMMON)
