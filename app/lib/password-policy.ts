// What a new password must be; shared by the forms and the server.
import { z } from "zod";

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** A password someone chooses (sign-up, reset, invitation). Empty reads as "required". */
export const newPasswordSchema = z
  .string()
  .min(1)
  .min(PASSWORD_MIN_LENGTH)
  .max(PASSWORD_MAX_LENGTH);
