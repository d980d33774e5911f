# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ResidentMessageTemplate(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		aliyun_template_code: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		step: DF.Literal[
			"Accepted",
			"Dispatched",
			"Appointment Set",
			"On The Way",
			"Arrived",
			"Major Job Explained",
			"Complaint Answered",
			"Done",
			"Return Visit",
			"Invoice",
			"Receipt",
			"Sign-in Code",
		]
		tencent_template_id: DF.Data | None
		variables: DF.Data | None
		wechat_keys: DF.Data | None
		wechat_template_id: DF.Data | None
	# end: auto-generated types
	pass
