export default {
  prefixRule: "{{field}} may hold only letters A–Z and digits, at most 8 (like CAFE).",
  fields: {
    count: "Number of codes",
    prefix: "Prefix (optional)",
    expiresOn: "Claimable until",
    label: "Label (optional)",
    recipient: "For whom (optional)",
    bundle: "Bundle",
    status: "Status",
    created: "Created",
    completed: "Completed",
    cardLanguage: "Card language",
  },
  details: {
    prefix: "Prefix",
    recipient: "For whom",
  },
  status: { generating: "Generating", ready: "Ready", failed: "Failed" },
  generate: {
    title: "Generate codes",
    subtitle:
      "{{bundle}}: {{seats}} staff seats and {{operations}} card operations for {{months}} months per code.",
    backToBundle: "Back to the bundle",
    formTitle: "New batch",
    countHint:
      "1 to {{max}}. Up to {{sync}} codes are ready at once; larger batches are made in the background and you can watch their progress.",
    prefixHint: "Printed before each code, like CAFE-XXXX-XXXX-XXXX-XXXX.",
    expiryHint:
      "Unclaimed codes can no longer be claimed after this day (UTC). The bundle's default is {{days}} days.",
    labelHint: "Your own name for the batch, like “Spring fair 2027”.",
    recipientHint: "Whom the batch is meant for, for your records.",
    cardLanguageHint:
      "The language of the printable code cards: their texts and dates. Your partner account's language is preselected.",
    submit: "Generate codes",
    working: "Generating…",
  },
  list: {
    title: "Batches",
    subtitle: "Every run that generated codes, newest first.",
    empty: "No codes generated yet",
    emptyHint: "Codes are generated from a bundle.",
    chooseBundle: "Choose a bundle",
    unlabelled: "Batch {{prefix}}",
    for: "for {{recipient}}",
  },
  detail: {
    subtitle_one: "{{formattedCount}} code of “{{bundle}}”",
    subtitle_other: "{{formattedCount}} codes of “{{bundle}}”",
    progressTitle: "Generating codes",
    progressLabel: "Codes generated",
    progressHint:
      "The codes can be claimed once all of them exist. You can leave this page; the work goes on.",
    failed: "This batch could not be generated and holds no codes: {{reason}}",
    detailsTitle: "Details",
    useTitle: "Hand the codes out",
    viewCodes: "View codes",
    downloadCsv: "Download CSV",
    printCards: "Print code cards (PDF)",
    useHint:
      "The CSV holds every code with its redeem link. The cards PDF prints the outstanding codes, 10 cards per A4 page, 1,000 cards per file.",
    cardParts: "Print code cards (PDF), 1,000 cards per file:",
    cardPart: "Part {{part}} of {{parts}}",
    cardPartNumber: "Part (1 to {{parts}})",
    downloadPart: "Download part",
  },
  counts: {
    outstanding: "Outstanding",
    claimed: "Claimed",
    expired: "Expired",
    revoked: "Revoked",
  },
  revoke: {
    title: "Revoke unclaimed codes",
    explain_one:
      "{{formattedCount}} code of this batch is not claimed. Revoking it means nobody can claim it any more; claimed codes stay as they are.",
    explain_other:
      "{{formattedCount}} codes of this batch are not claimed. Revoking them means nobody can claim them any more; claimed codes stay as they are.",
    reason: "Reason",
    confirm_one:
      "Revoke {{formattedCount}} unclaimed code? Nobody can claim it afterwards. This cannot be undone.",
    confirm_other:
      "Revoke {{formattedCount}} unclaimed codes? Nobody can claim them afterwards. This cannot be undone.",
    submit_one: "Revoke {{count, number}} unclaimed code",
    submit_other: "Revoke {{count, number}} unclaimed codes",
  },
  flash: {
    generated_one: "{{count, number}} code generated.",
    generated_other: "{{count, number}} codes generated.",
    started: "Generating {{count, number}} codes in the background.",
    revoked_one: "{{count, number}} code revoked.",
    revoked_other: "{{count, number}} codes revoked.",
    nothingToRevoke: "No unclaimed codes were left to revoke.",
  },
  errors: {
    bundle_archived: "This bundle is archived: it cannot make new codes. Duplicate it to go on.",
    invalid_request: "The expiry must be in the future and at most 10 years away.",
    not_found: "This bundle does not exist.",
    batch_not_ready: "The batch is still being generated; revoke its codes once it is ready.",
    partner_suspended:
      "This partner is suspended: no new codes can be generated until 7stamp support reactivates it.",
  },
};
