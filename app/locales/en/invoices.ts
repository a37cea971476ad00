// Business invoices: the list and detail pages, the billing-details form, and the PDF's
// wording (issue 14, ADR 032).
export default {
  list: {
    title: "Invoices",
    subtitle: "{{business}}: every invoice issued for your subscription.",
    number: "Number",
    issued: "Issued",
    period: "Period",
    total: "Total",
    status: "Status",
    pdf: "PDF",
    download: "Download PDF",
    open: "View",
    empty: "No invoices yet",
    emptyHint:
      "An invoice is issued when a paid plan starts, when a change is charged, and on each billing date.",
    caption: "Invoices, newest first",
  },
  status: { open: "Open", paid: "Paid", void: "Void" },
  detail: {
    title: "Invoice {{number}}",
    back: "All invoices",
    billedTo: "Billed to",
    issued: "Issued",
    period: "Period",
    status: "Status",
    vatId: "VAT id: {{vatId}}",
    lines: "Lines",
    description: "Description",
    amount: "Amount",
    net: "Net",
    vat: "VAT ({{rate}})",
    total: "Total",
    reverseCharge:
      "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).",
    line: {
      plan: "{{plan}} × {{quantity}} locations, {{start}} – {{end}}",
      proration:
        "{{plan}} × {{quantity}} locations, remaining {{days}} of {{periodDays}} days ({{start}} – {{end}})",
      credit: "Unused time on {{plan}} × {{quantity}} locations, {{days}} of {{periodDays}} days",
    },
    download: "Download PDF",
  },
  details: {
    title: "Billing details",
    hint: "Your invoices are addressed to these details. A change applies to invoices issued after it.",
    legalName: "Legal name",
    address: "Address",
    country: "Country (two-letter code)",
    countryHint: "For example DE, FR, NL. VAT is charged at your country's rate.",
    vatId: "VAT id (optional)",
    vatIdHint:
      "With a VAT id valid in form (country prefix and 2–13 letters or digits), invoices are issued under the reverse charge, without VAT.",
    submit: "Save billing details",
    saved: "Billing details saved.",
    missing: "Add your billing details so your invoices carry your legal name and address.",
    errors: {
      country: "Country must be a two-letter code, like DE.",
      vatId: "VAT id must start with your country's prefix, followed by 2–13 letters or digits.",
    },
  },
  pdf: {
    seller: "7stamp",
    invoice: "Invoice",
    number: "Invoice number",
    creditNote: "Credit note",
    creditNoteNumber: "Credit note number",
    issuerHeading: "Issued by",
    billedTo: "Billed to",
    issued: "Issue date",
    period: "Period",
    credits: "Credits invoice",
    totalCredited: "Total credited",
    footer: "7stamp · {{document}} {{number}}",
  },
  support: {
    creditNoteTitle: "Credit note {{number}}",
    reason: "Reason: {{reason}}",
    creditNotes: "Credit notes",
    noCreditNotes: "No credit note references this invoice.",
    voidTitle: "Void this invoice",
    voidIntro:
      "An open invoice that should not have been issued is voided: it keeps its number and stays on record, marked void. Nothing is charged for it.",
    void: "Void invoice",
    voidConfirm: "Void invoice {{number}}? This cannot be undone.",
    creditNoteFormTitle: "Issue a credit note",
    creditNoteIntro:
      "A paid invoice is corrected by a credit note for its full amount, with its own CN- number. The invoice itself never changes.",
    issueCreditNote: "Issue credit note",
    creditNoteConfirm:
      "Issue a credit note for the full amount of {{number}}? This cannot be undone.",
    noActions:
      "Nothing to correct here: only an open invoice can be voided, and only a paid invoice without a credit note can be credited.",
    done: {
      void: "Invoice {{number}} is void.",
      creditNote: "Credit note {{creditNote}} issued for invoice {{number}}.",
    },
  },
};
