// Copyright (c) 2026, Property Helpdesk developers and contributors
// For license information, please see license.txt

// The place's QR label (扫码报修) is printed from the form's or the list's Print, format "Common Area QR Label".
