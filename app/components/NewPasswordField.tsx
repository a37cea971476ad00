import { useTranslation } from "react-i18next";
import type { FieldError } from "~/lib/forms";
import { PASSWORD_MIN_LENGTH } from "~/lib/password-policy";
import { Field } from "./Field";

/** The password input of every form where someone chooses a password. */
export function NewPasswordField({ label, error }: { label?: string; error?: FieldError }) {
  const { t } = useTranslation("auth");
  return (
    <Field
      label={label ?? t("fields.password")}
      name="password"
      type="password"
      required
      autoComplete="new-password"
      hint={t("fields.passwordHint", { min: PASSWORD_MIN_LENGTH })}
      error={error}
    />
  );
}
