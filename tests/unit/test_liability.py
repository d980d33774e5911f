"""R15–R19: the liability branch proposed at intake."""

from datetime import date, timedelta

from property_helpdesk.procedure import liability as L
from property_helpdesk.procedure.warranty import YEARS, Period

COMPLETION = date(2020, 1, 1)  # builder's 5-year roof warranty: last day 2024-12-31
HANDOVER = date(2021, 1, 1)  # owner's 3-year minimum: last day 2023-12-31 → the builder's end wins
ROOF = dict(builder_period=Period(5, YEARS), owner_minimum=Period(3, YEARS))


def facts(**kw):
	base = dict(
		location=L.PRIVATE,
		is_quality_defect=True,
		developer_type=L.EXTERNAL_DEVELOPER,
		completion_date=COMPLETION,
		handover_date=HANDOVER,
		reported_on=date(2022, 6, 1),
		**ROOF,
	)
	base.update(kw)
	return L.LiabilityInput(**base)


def test_r15a_private_part_without_quality_defect_is_a_paid_service():
	got = L.propose_liability(facts(is_quality_defect=False))
	assert (got.branch, got.party, got.paid_service) == (L.BRANCH_PRIVATE_PAID, L.OWNER, True)
	assert not got.needs_liaison_sheet


def test_r15b_r18_common_facility_upkeep_is_the_company_s():
	got = L.propose_liability(facts(location=L.COMMON, is_quality_defect=False))
	assert (got.branch, got.party, got.paid_service) == (L.BRANCH_COMMON, L.PROPERTY_COMPANY, False)


def test_r15c_r19_owner_caused_damage_is_owner_liable_and_paid():
	got = L.propose_liability(facts(owner_caused=True))
	assert (got.branch, got.party, got.paid_service) == (L.BRANCH_OWNER_LIABLE, L.OWNER, True)


def test_r15c_unclear_goes_to_joint_site_survey():
	assert L.propose_liability(facts(liability_unclear=True)).branch == L.BRANCH_SURVEY
	no_rule = L.propose_liability(facts(builder_period=None, owner_minimum=None))
	assert (no_rule.branch, no_rule.party) == (L.BRANCH_SURVEY, L.UNDETERMINED)
	no_handover = L.propose_liability(facts(handover_date=None))
	assert no_handover.branch == L.BRANCH_SURVEY


def test_r15d_r16_within_handover_warranty_is_the_developer_s_with_a_liaison_sheet():
	got = L.propose_liability(facts())
	assert (got.branch, got.party) == (L.BRANCH_DEVELOPER, L.DEVELOPER)
	assert got.needs_liaison_sheet and not got.paid_service and not got.repairs_on_behalf


def test_r16_edges_of_the_owner_warranty_day_before_and_after():
	last = date(2024, 12, 31)
	assert L.propose_liability(facts(reported_on=last)).party == L.DEVELOPER
	assert L.propose_liability(facts(reported_on=last - timedelta(days=1))).party == L.DEVELOPER
	after = L.propose_liability(facts(reported_on=last + timedelta(days=1)))
	assert (after.branch, after.party, after.paid_service) == (L.BRANCH_OWNER_LIABLE, L.OWNER, True)
	common_after = L.propose_liability(facts(location=L.COMMON, reported_on=last + timedelta(days=1)))
	assert (common_after.branch, common_after.party) == (L.BRANCH_COMMON, L.MAINTENANCE_FUND)


def test_r17_parent_developer_company_repairs_on_behalf_past_builder_within_owner_warranty():
	# Builder 2 years from 2020-01-01 (last day 2021-12-31); owner minimum 3 years from 2021-01-01
	# (last day 2023-12-31).
	kw = dict(builder_period=Period(2, YEARS), owner_minimum=Period(3, YEARS))
	within_builder = L.propose_liability(
		facts(developer_type=L.PARENT_DEVELOPER, reported_on=date(2021, 12, 31), **kw)
	)
	assert within_builder.party == L.DEVELOPER and not within_builder.repairs_on_behalf
	past_builder = L.propose_liability(
		facts(developer_type=L.PARENT_DEVELOPER, reported_on=date(2022, 1, 1), **kw)
	)
	assert past_builder.party == L.DEVELOPER and past_builder.repairs_on_behalf
	assert past_builder.reason == L.REASON_ON_BEHALF
	assert past_builder.needs_liaison_sheet  # R40: every repair the parent developer bears gets a sheet
	external = L.propose_liability(facts(reported_on=date(2022, 1, 1), **kw))
	assert external.party == L.DEVELOPER and not external.repairs_on_behalf


def test_r15e_an_emergency_is_judged_like_any_other_case():
	"""Dispatch-first is the work order's rule (its dispatch time entered as it was); the liable party of an
	emergency follows the same branches."""
	got = L.propose_liability(facts(is_emergency=True, is_quality_defect=False))
	assert got.party == L.OWNER
