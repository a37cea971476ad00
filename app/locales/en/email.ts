export default {
  signature: "The 7stamp team",
  sender: "{{organisation}} via 7stamp",
  passwordReset: {
    subject: "Reset your 7stamp password",
    intro: "Someone (hopefully you) asked to reset the password of your 7stamp account.",
    action: "Choose a new password",
    outro:
      "The link works once and for one hour. If you did not ask for it, ignore this email: your password stays as it is.",
  },
  supportWelcome: {
    subject: "Your 7stamp support account",
    intro: "A 7stamp support account was created for you.",
    action: "Set your password",
    outro: "The link works once and for seven days.",
  },
  invitation: {
    subject: "{{inviter}} invited you to {{organisation}} on 7stamp",
    intro: "{{inviter}} invited you to join {{organisation}} in the 7stamp Partner Portal.",
    introBusiness:
      "{{inviter}} invited you to join the staff of {{organisation}} on 7stamp, the digital loyalty cards {{organisation}} uses.",
    action: "Accept the invitation",
    outro: "The link works once and for seven days.",
  },
  codeHandOut: {
    subject: "Your 7stamp activation code from {{partner}}",
    greeting: "Hello {{name}},",
    greetingNoName: "Hello,",
    intro:
      "{{partner}} sends you an activation code for 7stamp, the digital loyalty cards for your business.",
    codeLabel: "Your activation code",
    gives_one: "Once redeemed, it gives your business for {{count}} month:",
    gives_other: "Once redeemed, it gives your business for {{count}} months:",
    seats_one: "{{formatted}} staff seat",
    seats_other: "{{formatted}} staff seats",
    operations_one: "{{formatted}} card operation",
    operations_other: "{{formatted}} card operations",
    until: "Redeem it by {{date}}; after that the code expires.",
    action: "Redeem the code",
    locked: "The code can only be redeemed by an account with the email address {{email}}.",
    outro:
      "The link fills the code in for you: sign in, or create a free 7stamp account first. If you did not expect this email, you can ignore it.",
  },
  webhookDisabled: {
    subject: "7stamp stopped sending webhooks to {{url}}",
    intro:
      "Deliveries to your webhook endpoint {{url}} have failed since {{since}}, so 7stamp disabled it. Last answer: {{reason}}.",
    outro:
      "Fix the receiver, then enable the endpoint again on the Webhooks page; events are not sent to it while it is disabled.",
  },
};
