"""The app's Frappe Workflows, kept in `property_helpdesk/workflow/*.json`.

`bench migrate` does not sync a workflow folder, so install and migrate call `sync()`: each workflow is created
or brought in line with its file through the Workflow DocType itself (its validation runs), and the states and
actions it names exist as Workflow State / Workflow Action Master records.
"""

import json
from pathlib import Path

import frappe

WORKFLOW_DIR = Path(__file__).resolve().parents[1] / "workflow"


def definitions() -> list[dict]:
	return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(WORKFLOW_DIR.glob("*.json"))]


def sync() -> None:
	for definition in definitions():
		for state in definition["states"]:
			if not frappe.db.exists("Workflow State", state["state"]):
				frappe.get_doc(
					{
						"doctype": "Workflow State",
						"workflow_state_name": state["state"],
						"style": state.get("style"),
					}
				).insert(ignore_permissions=True)
		for action in {t["action"] for t in definition["transitions"]}:
			if not frappe.db.exists("Workflow Action Master", action):
				frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
					ignore_permissions=True
				)
		name = definition["workflow_name"]
		doc = (
			frappe.get_doc("Workflow", name)
			if frappe.db.exists("Workflow", name)
			else frappe.new_doc("Workflow")
		)
		doc.update({k: v for k, v in definition.items() if k not in ("states", "transitions", "doctype")})
		doc.set("states", [{k: v for k, v in s.items() if k != "style"} for s in definition["states"]])
		doc.set("transitions", definition["transitions"])
		doc.save(ignore_permissions=True)


def remove() -> None:
	for definition in definitions():
		if frappe.db.exists("Workflow", definition["workflow_name"]):
			frappe.delete_doc("Workflow", definition["workflow_name"], ignore_permissions=True, force=True)
