# Copyright (c) 2026, Property Helpdesk developers and Contributors
# See license.txt

# import frappe
from frappe.tests.utils import FrappeTestCase


class TestServiceTicket(FrappeTestCase):
	pass
