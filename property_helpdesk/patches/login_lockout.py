"""Brute force (issue 15): the login lockout of System Settings set to the app's values on a site installed
before they were seeded (setup/install.login_lockout; a site's own values are kept)."""

from property_helpdesk.setup.install import login_lockout


def execute():
	login_lockout()
