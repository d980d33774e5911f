# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

# import frappe
from frappe.model.document import Document


class WorkOrderItem(Document):
	pass
