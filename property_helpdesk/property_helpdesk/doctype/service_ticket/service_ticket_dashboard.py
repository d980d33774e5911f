"""The case's dashboard: the liaison sheets that cover it (as one of their cases) and its settlements (R17, R41)."""

from frappe import _


def get_data():
	return {
		"fieldname": "service_ticket",
		# Liaison Sheet holds the case in its child table Liaison Sheet Case; Frappe's filters find the field there
		"non_standard_fieldnames": {"Liaison Sheet": "service_ticket"},
		"transactions": [
			{"label": _("Developer Liaison"), "items": ["Liaison Sheet", "Compensation Settlement"]},
		],
	}
