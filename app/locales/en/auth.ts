export default {
  fields: {
    email: "Email",
    password: "Password",
    newPassword: "New password",
    confirmPassword: "Repeat the new password",
    passwordHint: "At least {{min}} characters.",
    businessName: "Business name",
    name: "Your name",
  },
  login: {
    title: "Sign in",
    subtitle: "Partners, businesses and 7stamp support sign in here.",
    submit: "Sign in",
    invalid: "The email or password is not correct.",
    welcome: "Welcome back, {{name}}.",
    forgot: "Forgot your password?",
    signupLink: "New business? Create a business account",
    redeemNote:
      "Sign in to redeem your activation code, or create a business account: you come back to the code afterwards.",
  },
  logout: { done: "You are signed out." },
  signup: {
    title: "Sign up your business",
    subtitle:
      "Start on the free Card scanner plan: 100 card operations a month and one staff seat.",
    submit: "Create account",
    done: "Welcome to 7stamp! {{business}} is on the free plan.",
    emailTaken:
      "An account with this email already exists. Sign in instead, or reset your password.",
    freePlanNote:
      "No payment details needed. You can change your plan or redeem a partner's activation code later.",
    haveAccount: "Already have an account?",
    loginLink: "Sign in",
    redeemNote:
      "Create your business account to redeem your activation code: you come back to the code right after.",
    redeemHaveAccount: "I already have an account",
  },
  forgot: {
    title: "Reset your password",
    subtitle: "Enter your account's email and we will send you a link to choose a new password.",
    submit: "Send reset link",
    sent: "If an account exists for {{email}}, a link to reset its password is on its way. It is valid for one hour.",
    back: "Back to sign in",
  },
  reset: {
    title: "Choose a new password",
    welcomeTitle: "Set your password",
    subtitle: "For {{email}}. Signing in elsewhere ends when you change it.",
    submit: "Save password",
    mismatch: "The two passwords do not match.",
    done: "Your password was changed. Sign in with the new one.",
    unusableTitle: "This link cannot be used",
    unusable: "The link is invalid, was already used, or has expired. Request a new one.",
    requestNew: "Request a new link",
  },
  invitation: {
    title: "Join {{organisation}}",
    subtitle: "You were invited as {{role}} with {{email}}.",
    accept: "Accept invitation",
    createAndAccept: "Create account and join",
    signInFirst: "An account for {{email}} exists. Sign in with it to accept.",
    signInLink: "Sign in",
    accepted: "You joined {{organisation}}.",
    wrongAccount: "Sign in as {{email}} to accept this invitation.",
    unusableTitle: "This invitation cannot be used",
    unusable: "The invitation is invalid, was already accepted, or has expired. Ask for a new one.",
  },
};
