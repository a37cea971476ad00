import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { Button } from "./Button";

/**
 * A one-button form for an action that cannot be undone (remove, revoke, archive): the browser
 * asks `confirm` first, then it posts `intent` and `fields` to the page's action. Without
 * JavaScript it posts straight away; the action decides either way.
 */
export function ConfirmedActionForm({
  intent,
  fields = {},
  confirm,
  label,
  disabled,
  children,
}: {
  intent: string;
  fields?: Record<string, string>;
  /** The question the browser asks before posting. */
  confirm: string;
  /** The button's accessible name, when its text alone does not say what it acts on. */
  label?: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <Form
      method="post"
      onSubmit={(event) => {
        if (!window.confirm(confirm)) event.preventDefault();
      }}
    >
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Button type="submit" variant="secondary" disabled={disabled} aria-label={label}>
        {children}
      </Button>
    </Form>
  );
}
