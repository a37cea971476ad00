// How long a new password must be; the field itself is newPasswordField (app/lib/fields.ts),
// and NewPasswordField shows the minimum as a hint.
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
