"""The case's dashboard: the liaison sheets that cover it (as one of their cases) and its settlements (R17, R41),
and what the resident was told (R8, R10, R22–R24, R34, R36, R39)."""

from frappe import _


def get_data():
	return {
		"fieldname": "service_ticket",
		# Liaison Sheet holds the case in its child table Liaison Sheet Case; Frappe's filters find the field there
		"non_standard_fieldnames": {"Liaison Sheet": "service_ticket"},
		"transactions": [
			{"label": _("Developer Liaison"), "items": ["Liaison Sheet", "Compensation Settlement"]},
			{"label": _("Resident Told"), "items": ["Resident Message"]},
		],
	}
