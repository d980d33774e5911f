"""R30: rework found, not declared: the proposal rule at its edges."""

from datetime import datetime, timedelta

from property_helpdesk.procedure import rework as R

CALL = datetime(2026, 11, 27, 9, 0)
PIPE = R.component("卫生间防渗漏", "漏水")


def job(name, days_before, about=PIPE):
	return R.CompletedJob(name, about, CALL - timedelta(days=days_before))


def test_r30_the_component_is_the_warranty_rule_else_the_reported_item():
	assert R.component("卫生间防渗漏", "漏水") == R.component("卫生间防渗漏", "别的")
	assert R.component(None, " 门锁损坏 ") == R.component(None, "门锁损坏")
	assert R.component(None, "") is None


def test_r30_the_latest_job_on_the_component_within_the_window_is_proposed():
	jobs = [job("WO-1", 20), job("WO-2", 5), job("WO-3", 2, R.component(None, "门锁"))]
	assert R.proposed_rework(CALL, PIPE, jobs, 30) == "WO-2"
	assert R.proposed_rework(CALL, PIPE, [job("WO-1", 30)], 30) == "WO-1"  # on the window's edge
	assert R.proposed_rework(CALL, PIPE, [job("WO-1", 31)], 30) is None  # outside it
	assert R.proposed_rework(CALL, R.component(None, "电路"), jobs, 30) is None  # another component
	assert R.proposed_rework(CALL, None, jobs, 30) is None
	assert R.proposed_rework(CALL, PIPE, jobs, 0) is None
	assert R.proposed_rework(CALL, PIPE, [job("WO-9", -1)], 30) is None  # completed after the call
