# Copyright (c) 2026, Property Helpdesk developers and contributors
# For license information, please see license.txt

"""Where the template-based providers' credentials, signatures and per-step templates are kept (R8, R10):
Alibaba Cloud SMS, Tencent Cloud SMS and the WeChat Official Account. Secrets are Password fields (encrypted
with the site's key); the IDs that travel in every request's clear text (AccessKey ID, SecretId, AppID) are Data,
as in Frappe's own Social Login Key (client_id Data, client_secret Password)."""

import re
from urllib.parse import urlparse

import frappe
from frappe import _
from frappe.model.document import Document

from property_helpdesk.constants import MESSAGING_PROVIDERS
from property_helpdesk.services.channels import SendError

VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ResidentMessagingProviders(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from property_helpdesk.property_helpdesk.doctype.resident_message_template.resident_message_template import (
			ResidentMessageTemplate,
		)

		aliyun_access_key_id: DF.Data | None
		aliyun_access_key_secret: DF.Password | None
		aliyun_endpoint: DF.Data | None
		aliyun_sign_name: DF.Data | None
		templates: DF.Table[ResidentMessageTemplate]
		tencent_endpoint: DF.Data | None
		tencent_region: DF.Data | None
		tencent_sdk_app_id: DF.Data | None
		tencent_secret_id: DF.Data | None
		tencent_secret_key: DF.Password | None
		tencent_sign_name: DF.Data | None
		wechat_api_base_url: DF.Data | None
		wechat_app_id: DF.Data | None
		wechat_app_secret: DF.Password | None
	# end: auto-generated types

	def before_validate(self):
		for field in ("aliyun_endpoint", "tencent_endpoint", "wechat_api_base_url", "aliyun_sign_name"):
			self.set(field, (self.get(field) or "").strip() or None)
		for row in self.templates:
			for field in ("variables", "wechat_keys"):
				names = [n.strip() for n in (row.get(field) or "").replace("，", ",").split(",") if n.strip()]
				row.set(field, ", ".join(names) or None)

	def validate(self):
		seen = set()
		for row in self.templates:
			if row.step in seen:
				frappe.throw(_("Row {0}: the step {1} has a template already.").format(row.idx, _(row.step)))
			seen.add(row.step)
			variables, keys = split_names(row.variables), split_names(row.wechat_keys)
			for name in (*variables, *keys):
				if not VARIABLE.match(name):
					frappe.throw(
						_("Row {0}: {1} is not a variable name (letters, digits and _).").format(
							row.idx, name
						)
					)
			if keys and len(keys) != len(variables):
				frappe.throw(
					_("Row {0}: give one WeChat template key for each variable, in the same order.").format(
						row.idx
					)
				)
		for field in ("aliyun_endpoint", "tencent_endpoint", "wechat_api_base_url"):
			if self.get(field):
				url = urlparse(self.get(field) if "//" in self.get(field) else f"https://{self.get(field)}")
				if url.scheme not in ("http", "https") or not url.hostname:
					frappe.throw(
						_("{0} is not a host name or an http(s) URL.").format(_(self.meta.get_label(field)))
					)


def split_names(value: str | None) -> list[str]:
	return [n.strip() for n in (value or "").split(",") if n.strip()]


def providers() -> ResidentMessagingProviders:
	return frappe.get_cached_doc(MESSAGING_PROVIDERS)


def secret(doc: Document, fieldname: str) -> str | None:
	return doc.get_password(fieldname, raise_exception=False)


def template(step: str, id_field: str, params: dict) -> tuple[str, list[str], list[str]]:
	"""The step's template at a provider (`id_field` of its row), its variable names in order, and the values
	of `params` for them. A step without a template, or a variable without a value, never goes (not retryable:
	someone has to fill Settings in first)."""
	row = next((r for r in providers().templates if r.step == step), None)
	template_id = row and (row.get(id_field) or "").strip()
	if not template_id:
		raise SendError(
			_("No {0} is set for the step {1} in {2}.").format(
				_(frappe.get_meta("Resident Message Template").get_label(id_field)),
				_(step),
				_(MESSAGING_PROVIDERS),
			),
			retryable=False,
		)
	names = split_names(row.variables)
	missing = [n for n in names if params.get(n) in (None, "")]
	if missing:
		raise SendError(
			_("The message for the step {0} has no value for {1}.").format(_(step), ", ".join(missing)),
			retryable=False,
		)
	return template_id, names, [str(params[n]) for n in names]


def wechat_keys(step: str) -> list[str]:
	row = next((r for r in providers().templates if r.step == step), None)
	return (row and (split_names(row.wechat_keys) or split_names(row.variables))) or []


def endpoint(value: str | None) -> tuple[str, str] | None:
	"""(scheme, host[:port]) of an endpoint setting: a bare host is https, as the providers' SDKs assume."""
	if not value:
		return None
	url = urlparse(value if "//" in value else f"https://{value}")
	return url.scheme, url.netloc
