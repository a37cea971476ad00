// The printable code cards (PDF) of a batch: the texts on each card and the route's refusals.
export default {
  title: "Activation codes · {{bundle}}",
  titlePart: "Activation codes · {{bundle}} · part {{part}} of {{parts}}",
  seats_one: "{{formatted}} staff seat",
  seats_other: "{{formatted}} staff seats",
  operations_one: "{{formatted}} card operation",
  operations_other: "{{formatted}} card operations",
  months_one: "{{formatted}} month",
  months_other: "{{formatted}} months",
  codeNumber: "Code #{{serial}}",
  redeemBy: "Redeem by {{date}}",
  redeemHint: "Scan the QR code or open the link to redeem:",
  notReady:
    "The cards can be printed once the batch is ready: it is still being generated or it failed.",
  nothingToPrint:
    "This batch has no codes left to print: every code is claimed, revoked or expired.",
  partMalformed: "part: must be a whole number of at least 1.",
  partOutOfRange: "part: must be a whole number from 1 to {{parts}}.",
  busy: "Many code cards are being printed right now. Please try again in a minute.",
};
