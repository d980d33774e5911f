"""Submitting or cancelling a workflow document only through a transition the user may take.

Frappe 15 lets anyone with the submit right submit a workflow document directly (REST `frappe.client.submit`,
`doc.submit()`): `set_workflow_state_on_action` then moves it to the first submitted state, skipping every
approval on the way. Controllers of workflow DocTypes call `assert_transition` from `before_submit` and
`before_cancel`, so the stored state must offer this user a transition into a state of that docstatus.
"""

import frappe
from frappe import _
from frappe.model.workflow import WorkflowPermissionError, get_transitions, get_workflow
from frappe.utils import cint


def assert_transition(doc, docstatus: int) -> None:
	workflow = get_workflow(doc.doctype)
	stored = frappe.get_doc(doc.doctype, doc.name)
	targets = {s.state for s in workflow.states if cint(s.doc_status) == docstatus}
	if not {t.next_state for t in get_transitions(stored)} & targets:
		frappe.throw(
			_("{0} cannot be {1} from the state {2} by you: use its workflow actions.").format(
				_(doc.doctype),
				_("submitted") if docstatus == 1 else _("cancelled"),
				_(stored.get(workflow.workflow_state_field)),
			),
			WorkflowPermissionError,
		)


def state_entered(doc) -> str | None:
	"""The workflow state this save moves the document into, or None when the state stays."""
	before = doc.get_doc_before_save()
	previous = before.workflow_state if before else None
	return doc.workflow_state if doc.workflow_state != previous else None
