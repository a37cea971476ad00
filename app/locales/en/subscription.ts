// The paid plan as a subscription: the preview of a change, the confirmation, and the
// "Manage subscription" page (issue 14, ADR 032).
export default {
  page: {
    title: "Manage subscription",
    subtitle: "{{business}}: your paid plan, its next charge and your invoices.",
    back: "Back to billing",
    summaryTitle: "Subscription",
    plan: "Plan",
    interval: "Billed",
    locations: "Locations",
    nextBilling: "Next billing date",
    nextCharge: "Next charge",
    status: "Status",
    since: "Current period",
    periodRange: "{{start}} – {{end}}",
    pending: "From {{date}}: {{plan}}, {{locations}} locations.",
    cancelling: "Cancelled: your plan stays until {{date}}, then moves to the free plan.",
    none: "No paid plan",
    noneHint:
      "You are on the free plan. Choose Monthly or Yearly below: you see what is charged before you confirm.",
    changeTitle: "Change or cancel",
    changeHint:
      "More locations or a dearer plan apply now, prorated by day; fewer locations, a cheaper plan or cancelling apply at the next billing date.",
    cancelTitle: "Cancel the subscription",
    cancelHint:
      "Your plan stays until the end of the period you paid for, then moves to the free plan.",
    cancelSubmit: "Preview cancellation",
    invoicesTitle: "Invoices",
    invoicesLink: "All invoices",
  },
  status: {
    active: "Active",
    past_due: "Past due",
    cancel_at_period_end: "Cancelled at period end",
    ended: "Ended",
  },
  interval: { month: "Monthly", year: "Yearly" },
  link: "Manage subscription / Invoices",
  preview: {
    title: "Check your change",
    submit: "Preview change",
    confirm: "Confirm change",
    back: "Choose again",
    start: "You will be charged {{today}} today, then {{amount}} every {{interval}} from {{date}}.",
    upgrade:
      "You will be charged {{today}} today, then {{amount}} every {{interval}} from {{date}}.",
    downgrade:
      "Nothing is charged today. From {{date}} you will be charged {{amount}} every {{interval}}.",
    cancel:
      "Nothing is charged today. Your plan stays until {{date}}, then moves to the free plan and nothing more is charged.",
    resume:
      "Nothing is charged today. Your subscription continues: {{amount}} every {{interval}} from {{date}}.",
    every: { month: "month", year: "year" },
    linesTitle: "Charged today",
    line: {
      plan: "{{plan}} × {{quantity}} locations, {{start}} – {{end}}",
      proration: "{{plan}} × {{quantity}} locations, remaining {{days}} of {{periodDays}} days",
      credit: "Unused time on {{plan}} × {{quantity}} locations, {{days}} of {{periodDays}} days",
    },
    amount: "Amount",
    total: "Due today",
  },
  done: {
    start: "Your plan is now {{plan}}. {{today}} was charged today.",
    upgrade: "Your plan is now {{plan}}. {{today}} was charged today.",
    downgrade: "From {{date}} your plan will be {{plan}}. Nothing was charged.",
    cancel: "Your plan stays until {{date}}, then moves to the free plan.",
    resume: "Your subscription continues; the waiting change was withdrawn.",
  },
};
