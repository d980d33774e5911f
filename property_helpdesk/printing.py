"""What the print formats use to show a record's text safely (Frappe's Jinja does not autoescape).

Data fields are plain text: the templates escape them (`{% autoescape true %}`). Text fields are kept by Frappe
as sanitised HTML once they hold any markup (entities and all, e.g. `A&amp;B <img src="x">`); `rich_text` shows
them as Frappe means them, cleaned again at print time so that nothing written by another road (an import, a
direct database write) brings a script or an event handler onto the page.
"""

from frappe.utils import is_html
from frappe.utils.html_utils import sanitize_html
from markupsafe import Markup, escape


def rich_text(value) -> Markup:
	value = str(value or "")
	return Markup(sanitize_html(value)) if is_html(value) else escape(value)
