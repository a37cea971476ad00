// Redeeming activation codes: the /redeem page, and the refusals the billing page shows too.
export default {
  title: "Redeem an activation code",
  subtitle: "A code from a 7stamp partner adds staff seats and card operations to your business.",
  code: "Activation code",
  preview: {
    title: "What this code gives",
    partner: "Partner",
    bundle: "Bundle",
    staffSeats: "Staff seats",
    cardOperations: "Card operations",
    term: "Lasts",
    termValue_one: "{{count}} month from today",
    termValue_other: "{{count}} months from today",
    claimableUntil: "Claimable until",
  },
  business: "Redeem for",
  businessHint: "The business whose billing page gets the code's services.",
  forBusiness: "For {{business}}.",
  confirm: "Confirm and activate",
  cancel: "Not now",
  refusedTitle: "This code cannot be redeemed",
  toBilling: "Go to your billing page",
  noBusiness: {
    title: "Only a business owner can redeem a code",
    body: "You are signed in as {{email}}, which owns no business. Codes are redeemed by the owner of the business that gets the services.",
    signup: "Sign out and create a business account",
    hint: "After signing up you come back here with the code filled in.",
  },
  gives: {
    seats_one: "{{formatted}} staff seat",
    seats_other: "{{formatted}} staff seats",
    operations_one: "{{formatted}} card operation",
    operations_other: "{{formatted}} card operations",
    both: "{{seats}} and {{operations}}",
  },
  errors: {
    code_mistyped:
      "The check symbol does not match: the code was probably mistyped. Check each character against the card.",
    code_not_found: "There is no activation code like this. Check the code, or ask your partner.",
    code_already_claimed_by_you:
      "You have already claimed this code (Code #{{serial}}): its services are on your billing page.",
    code_already_claimed: "This code has already been claimed by another business.",
    code_expired: "This code has expired. Ask your partner for a new one.",
    code_revoked: "This code was withdrawn by the partner who issued it. Ask them for a new one.",
    code_not_ready:
      "This code is not ready yet: its batch is still being generated. Try again in a few minutes.",
    code_locked:
      "This code was handed out to someone else and can only be redeemed by an account with their email address.",
    partner_suspended:
      "The partner who issued this code is suspended, so its codes cannot be redeemed right now. Contact 7stamp support.",
    rate_limited_one:
      "Too many attempts with activation codes. Try again in {{count}} minute, at {{time}} UTC.",
    rate_limited_other:
      "Too many attempts with activation codes. Try again in {{count}} minutes, at {{time}} UTC.",
  },
};
