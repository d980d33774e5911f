// A rate card with nothing to divide yet (no case decided, no job completed this month: services/workspace.py
// returns no value) shows a dash. Frappe 15's number card widget cannot show a card without a figure: it throws
// on a null value and stays at "Loading…", so this wraps its custom-card step for that one case only.
(() => {
	const NumberCard = frappe.widget && frappe.widget.widget_factory?.number_card;
	if (!NumberCard || NumberCard.prototype.__shows_no_figure) return;
	const get_number = NumberCard.prototype.get_number_for_custom_card;
	NumberCard.prototype.get_number_for_custom_card = function (res) {
		if (res && typeof res === "object" && (res.value === null || res.value === undefined)) {
			this.number = 0;
			this.formatted_number = "—";
			return;
		}
		return get_number.call(this, res);
	};
	NumberCard.prototype.__shows_no_figure = true;
})();
