import type { ComponentProps } from "react";
import { useTranslation } from "react-i18next";
import { Field } from "~/components/Field";

/**
 * The reason support gives for a correction (required, audited with it; ADR 015), the same
 * field on every support form: a grant, a plan change, a code, prices and plans.
 */
export function ReasonField(props: Omit<ComponentProps<typeof Field>, "label" | "name">) {
  const { t } = useTranslation("support");
  return <Field label={t("partner.reason")} name="reason" required {...props} />;
}
