"""One home for the app's QR codes (segno, a pure-Python QR library: no image library, no C code): the place
labels of units and common areas (扫码报修, issue 14) and the WeChat binding page (/wechat_bind). Drawn as
inline SVG, which the browser, Frappe's print view and wkhtmltopdf's PDF all show sharp at any size."""

from urllib.parse import urlencode

import frappe
import segno
from frappe import _
from markupsafe import Markup

from property_helpdesk.constants import COMMON_AREA, PROPERTY, SETTINGS, UNIT

# Error level M for a printed label (a sticker by a lift door gets scuffed: 15 % of it may be lost);
# L for a code on a screen, which is never torn and scans more easily with fewer modules.
LABEL_ERROR = "m"
SCREEN_ERROR = "l"
REPORT_PAGE = "/new_case"
# The query parameter of the report page that names each kind of place
PLACE_PARAMETERS = {UNIT: "unit", COMMON_AREA: "common_area"}


def svg(data: str, title: str, error: str = LABEL_ERROR, scale: int = 4) -> Markup:
	"""The QR code of `data` as an inline <svg> (its size set by CSS through the viewBox)."""
	code = segno.make(data, error=error, boost_error=False)
	return Markup(
		code.svg_inline(scale=scale, border=4, title=title, svgclass="ph-qr", omitsize=True, dark="#000")
	)


def report_url(doctype: str, name: str) -> str:
	"""The portal's report page with the place filled in: /new_case?unit=<name> or ?common_area=<name>."""
	return frappe.utils.get_url(f"{REPORT_PAGE}?{urlencode({PLACE_PARAMETERS[doctype]: name})}")


def hotline(property_name: str | None) -> str:
	"""The line printed on a place's label: the property's own hotline where it names one, else the company's."""
	if property_name and frappe.get_meta(PROPERTY).has_field("service_hotline"):
		own = frappe.get_cached_value(PROPERTY, property_name, "service_hotline")
		if own:
			return own
	return frappe.db.get_single_value(SETTINGS, "service_hotline") or ""


def place_label(doc) -> dict:
	"""What a place's QR label shows (templates/print/place_label.html), for a Property Unit or a Common Area."""
	if doc.doctype == UNIT:
		title = " ".join(filter(None, (doc.building, doc.unit_no)))
	else:
		title = doc.area_name
	url = report_url(doc.doctype, doc.name)
	return {
		"property": doc.property,
		"title": title,
		"hotline": hotline(doc.property),
		"url": url,
		"svg": svg(url, _("Scan to report a problem")),
	}
