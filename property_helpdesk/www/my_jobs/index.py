"""/my_jobs: the technician's today's and open work orders, soonest deadline first (R20–R22); a maintenance
supervisor sees the team's board (who has what, what is late)."""

import frappe
from frappe import _

from property_helpdesk.api.portal import login_first, page_context, read_page
from property_helpdesk.api.technician import is_supervisor, my_jobs, team_technicians, time_left, waiting

no_cache = 1


@read_page  # a list: from the replica where the site has one (api/portal.py list_cases)
def get_context(context):
	login_first("/my_jobs")
	page_context(context)
	context.title = _("My Jobs")
	context.jobs = waiting(my_jobs())
	context.supervisor = is_supervisor()
	# the board: who has what, what is late, what waits (a pause by its reason, a class change to approve)
	context.team = waiting(my_jobs(team=True)) if context.supervisor else []
	context.technicians = team_technicians() if context.supervisor else []
	context.time_left = time_left
	return context
