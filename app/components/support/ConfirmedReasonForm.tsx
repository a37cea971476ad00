import { Form, useLocation, useNavigation } from "@remix-run/react";
import type { ComponentProps, ReactNode } from "react";
import { Button } from "~/components/Button";
import { ReasonField } from "./ReasonField";

/**
 * A support correction that needs only a reason (required, audited; ADR 015): the reason field
 * and one submit button posting `intent`. With `confirm`, the browser asks that question first
 * (without JavaScript it posts straight away; the action decides either way). `failure` is the
 * action's answer to this intent, so the reason typed and its error come back on this form.
 * The form is new after each navigation (its key), so a done correction leaves it empty.
 */
export function ConfirmedReasonForm({
  intent,
  confirm,
  failure,
  variant = "danger",
  children,
}: {
  intent: string;
  /** The question the browser asks before posting; none posts straight away. */
  confirm?: string;
  failure?: {
    values: Record<string, string>;
    errors: Partial<Record<string, ComponentProps<typeof ReasonField>["error"]>>;
  };
  variant?: ComponentProps<typeof Button>["variant"];
  /** The submit button's text. */
  children: ReactNode;
}) {
  const location = useLocation();
  const busy = useNavigation().state === "submitting";
  return (
    <Form
      key={location.key}
      method="post"
      className="space-y-3"
      noValidate
      onSubmit={
        confirm
          ? (event) => {
              if (!window.confirm(confirm)) event.preventDefault();
            }
          : undefined
      }
    >
      <input type="hidden" name="intent" value={intent} />
      <ReasonField defaultValue={failure?.values.reason} error={failure?.errors.reason} />
      <Button type="submit" variant={variant} disabled={busy}>
        {children}
      </Button>
    </Form>
  );
}
