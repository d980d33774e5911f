"""The arguments of the app's whitelisted methods, checked before the call, with a translated 4xx.

Frappe calls a whitelisted method with the request's form (`frappe.call` → `fn(**form_dict)`): a required
argument left out raises Python's TypeError, which Frappe answers with HTTP 500, and a value of the wrong type
is refused by Frappe's own `validate_argument_types` with an English FrappeTypeError. Frappe offers no hook
around `frappe.call`; `before_request` (hooks.py) is its one place that sees every request before the method
runs, so this looks up the method as Frappe's handler will (`/api/method/…`, v1 and v2, `run_doc_method` and a
document's `run_method`), and for the app's own methods throws MandatoryError or ValidationError (HTTP 417)
naming the argument, in the user's language. A call Frappe itself refuses (not whitelisted, not for guests, the
wrong HTTP method) is left to Frappe's own answer.
"""

import inspect

import frappe
from frappe import _
from frappe.exceptions import FrappeTypeError
from frappe.utils.typing_validations import transform_parameter_types

APP = "property_helpdesk."
RUN_DOC_METHOD = ("run_doc_method", "frappe.handler.run_doc_method")


def check_arguments() -> None:
	"""before_request: refuse a call of the app's whitelisted method whose arguments it cannot take."""
	request = getattr(frappe.local, "request", None)
	if not request or not request.path.startswith("/api/"):
		return
	called = called_method(request)
	if not called:
		return
	fn, given = called
	if not frappe_would_call(fn, request):
		return
	check(fn, given)


def check(fn, given: dict) -> None:
	"""Throw the translated error for `given` (the arguments Frappe will pass) that `fn` cannot take."""
	params = [
		p
		for p in inspect.signature(fn).parameters.values()
		if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
	]
	missing = [p.name for p in params if p.default is p.empty and given.get(p.name) is None]
	if missing:
		frappe.throw(
			_("Missing argument: {0}").format(", ".join(missing)),
			frappe.MandatoryError,
			title=_("Missing Argument"),
		)
	for p in params:
		if (
			p.name in given
			and p.name in getattr(fn, "__annotations__", {})
			and not accepts(fn, p.name, given)
		):
			frappe.throw(
				_("Invalid value for {0}: {1} expected.").format(p.name, kind(fn.__annotations__[p.name])),
				frappe.ValidationError,
				title=_("Invalid Argument"),
			)


def accepts(fn, name: str, given: dict) -> bool:
	"""Whether Frappe's own validation (validate_argument_types) takes the value of `name` for `fn`; the
	refusal is thrown outside this, so that it is not chained to Frappe's English FrappeTypeError."""
	try:
		transform_parameter_types(fn, (), {name: given[name]})
	except FrappeTypeError:
		return False
	return True


def kind(annotation) -> str:
	"""An annotation in words."""
	args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)] or [annotation]
	words = {
		str: _("text"),
		int: _("a whole number"),
		float: _("a number"),
		bool: _("yes or no"),
		dict: _("a set of named values"),
		list: _("a list"),
	}
	return words.get(getattr(args[0], "__origin__", args[0]), _("another kind of value"))


def called_method(request) -> tuple | None:
	"""(the function Frappe will call, the arguments it will pass by name) for a call of the app's method."""
	form = frappe.local.form_dict or {}
	parts = request.path.strip("/").split("/")[1:]
	version = parts.pop(0) if parts and parts[0] in ("v1", "v2") else "v1"
	if len(parts) >= 2 and parts[0] == "method":
		cmd = parts[1] if version == "v1" or len(parts) == 2 else None
		if cmd is None:  # v2: /api/v2/method/<doctype>/<method>, a function of the DocType's module
			from frappe.modules.utils import load_doctype_module

			try:
				cmd = f"{load_doctype_module(parts[1]).__name__}.{parts[2]}"
			except Exception:
				return None
		cmd = frappe.override_whitelisted_method(cmd)
		if cmd in RUN_DOC_METHOD and version == "v1":
			return doc_method_call(form)
		if not cmd.startswith(APP):
			return None
		try:
			fn = frappe.get_attr(cmd)
		except Exception:
			return None  # Frappe answers a method that is not there
		return fn, {k: v for k, v in form.items() if k != "cmd"}
	# a document's method: /api/resource/<doctype>/<name> with run_method, /api/v2/document/…/method/<method>
	if len(parts) >= 3 and parts[0] in ("resource", "document"):
		method = parts[4] if len(parts) >= 5 and parts[3] == "method" else form.get("run_method")
		if not isinstance(method, str):
			return None
		fn = controller_method(parts[1], method)
		return (fn, {k: v for k, v in form.items() if k != "run_method"}) if fn else None
	return None


def doc_method_call(form) -> tuple | None:
	"""run_doc_method: the controller's method, and the arguments it passes (frappe/handler.py)."""
	doctype = form.get("dt")
	if not doctype:
		try:
			docs = frappe.parse_json(form.get("docs"))
		except Exception:
			return None
		doctype = docs.get("doctype") if isinstance(docs, dict) else None
	fn = controller_method(doctype, form.get("method"))
	if not fn:
		return None
	args = form.get("args") or form.get("arg")
	try:
		args = frappe.parse_json(args)
	except ValueError:
		pass
	if isinstance(args, dict):
		return fn, args
	params = [p for p in inspect.signature(fn).parameters if p != "self"]
	# a value that is not a dict goes to the first parameter (frappe/handler.py run_doc_method)
	return fn, ({params[0]: args} if params and args is not None else {})


def controller_method(doctype, method):
	"""The app's controller's method `method` of `doctype`, or None."""
	if not isinstance(doctype, str) or not isinstance(method, str) or method.startswith("_"):
		return None
	from frappe.model.base_document import get_controller

	try:
		controller = get_controller(doctype)
	except Exception:
		return None
	fn = getattr(getattr(controller, method, None), "__func__", getattr(controller, method, None))
	if not callable(fn) or not getattr(fn, "__module__", "").startswith(APP):
		return None
	return fn


def frappe_would_call(fn, request) -> bool:
	"""Whether Frappe's own checks let the call through (frappe.is_whitelisted, is_valid_http_method), so that
	their answer comes first; a token-authenticated request is a guest until validate_auth, which runs later."""
	if fn not in frappe.whitelisted:
		return False
	if request.method not in frappe.allowed_http_methods_for_whitelisted_func.get(fn, ()):
		return False
	guest = frappe.session.user == "Guest" and not request.headers.get("Authorization")
	return not guest or fn in frappe.guest_methods


def mapper_target(target_doc: str | None, doctype: str) -> str | None:
	"""The desk's target document for Frappe's get_mapped_doc: JSON of a `doctype` document, or a 417. The mapper
	itself loads any string as JSON (a junk one: JSONDecodeError, HTTP 500) and as a document of any type."""
	if target_doc is None:
		return None
	try:
		value = frappe.parse_json(target_doc)
	except ValueError:
		value = None
	if not isinstance(value, dict) or value.get("doctype") != doctype:
		frappe.throw(
			_("Invalid value for {0}: {1} expected.").format(
				"target_doc", _("a {0} document").format(_(doctype))
			),
			frappe.ValidationError,
			title=_("Invalid Argument"),
		)
	return target_doc
