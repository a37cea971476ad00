// The intent dispatcher: the intent picks the form, the form's schema its fields, and an
// unknown or missing intent is a 400 with a message, never a thrown error.
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { emailField, reasonField } from "./fields";
import { dispatchIntent, intentForm } from "./intents.server";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

const forms = () => ({
  invite: intentForm(z.object({ email: emailField }), ({ email }) =>
    Promise.resolve({ invited: email }),
  ),
  suspend: intentForm(z.object({ reason: reasonField }), ({ reason }, { fail }) =>
    Promise.resolve(
      reason === "refuse"
        ? fail({ formError: { key: "support:errors.partner_not_found" } }, 409)
        : { reason },
    ),
  ),
});

describe("dispatchIntent", () => {
  test("calls the named form's handler with its parsed, typed input", async () => {
    expect(await dispatchIntent(form({ intent: "invite", email: " a@b.test " }), forms())).toEqual({
      invited: "a@b.test",
    });
  });

  test("field errors of the named form, with what was typed and the intent", async () => {
    const result = await dispatchIntent(form({ intent: "suspend", reason: "x" }), forms());
    expect(result).toMatchObject({
      data: {
        errors: { reason: { key: "validation.tooShort", values: { limit: 3 } } },
        values: { intent: "suspend", reason: "x" },
        formError: null,
      },
      init: { status: 400 },
    });
  });

  test("a refusal from the handler keeps the intent and its status", async () => {
    const result = await dispatchIntent(form({ intent: "suspend", reason: "refuse" }), forms());
    expect(result).toMatchObject({
      data: {
        values: { intent: "suspend" },
        formError: { key: "support:errors.partner_not_found" },
      },
      init: { status: 409 },
    });
  });

  test.each<Record<string, string>>([{}, { intent: "delete-everything" }, { intent: "" }])(
    "an unknown or missing intent (%o) is a 400 saying so",
    async (fields) => {
      const result = await dispatchIntent(form(fields), forms());
      expect(result).toMatchObject({
        data: {
          errors: { intent: { key: "validation.choice" } },
          formError: { key: "forms.unknownIntent" },
        },
        init: { status: 400 },
      });
    },
  );

  test("fields every answer carries are on a failure too", async () => {
    const result = await dispatchIntent(form({ intent: "invite", email: "nope" }), forms(), {
      failureFields: { created: null },
    });
    expect(result).toMatchObject({
      data: { created: null, errors: { email: { key: "validation.email" } } },
    });
  });
});
