export default {
  signature: "The 7stamp team",
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
    action: "Accept the invitation",
    outro: "The link works once and for seven days.",
  },
};
