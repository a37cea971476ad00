// Form parsing: zod failures become message keys per field (with limits as values), typed
// values come back to refill the form, passwords never do.
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { fieldErrorsFrom, parseForm, parseObject } from "./forms";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

const Signup = z.object({
  name: z.string().trim().min(1).max(10),
  email: z.string().trim().min(1).email(),
  password: z.string().min(1).min(10),
  role: z.enum(["member", "owner"]),
  seats: z.coerce.number().int().min(1).max(50),
});

const valid = {
  name: "Cora",
  email: "cora@example.test",
  password: "long-enough-1",
  role: "member",
  seats: "3",
};

describe("parseForm", () => {
  test("success: typed, trimmed data", () => {
    const result = parseForm(Signup, form({ ...valid, name: "  Cora ", extra: "ignored" }));
    expect(result).toEqual({
      success: true,
      data: { ...valid, name: "Cora", seats: 3 },
    });
  });

  test("required: an empty or whitespace-only string, or a missing field", () => {
    const result = parseForm(Signup, form({ ...valid, name: "   ", email: "" }));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.errors.name).toEqual({ key: "validation.required" });
    // The first error per field wins: empty is "required", not "email".
    expect(result.errors.email).toEqual({ key: "validation.required" });

    const { role: _role, ...withoutRole } = valid;
    const missing = parseForm(Signup, form(withoutRole));
    expect(missing.success).toBe(false);
    if (!missing.success) expect(missing.errors.role).toEqual({ key: "validation.required" });
  });

  test("tooShort and tooLong carry the limit", () => {
    const result = parseForm(Signup, form({ ...valid, name: "x".repeat(11), password: "short" }));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.errors).toEqual({
      name: { key: "validation.tooLong", values: { limit: 10 } },
      password: { key: "validation.tooShort", values: { limit: 10 } },
    });
  });

  test("email, choice, numbers", () => {
    const result = parseForm(
      Signup,
      form({ ...valid, email: "cora-at-example", role: "admin", seats: "0" }),
    );
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.errors).toEqual({
      email: { key: "validation.email" },
      role: { key: "validation.choice" },
      seats: { key: "validation.tooSmall", values: { limit: 1 } },
    });
    const big = parseForm(Signup, form({ ...valid, seats: "51" }));
    if (!big.success)
      expect(big.errors.seats).toEqual({ key: "validation.tooBig", values: { limit: 50 } });
    const nan = parseForm(Signup, form({ ...valid, seats: "many" }));
    if (!nan.success) expect(nan.errors.seats).toEqual({ key: "validation.invalid" });
    expect(big.success || nan.success).toBe(false);
  });

  test("values echo what was typed, except any password field", () => {
    const result = parseForm(
      Signup.extend({ confirmPassword: z.string() }),
      form({ ...valid, name: "", confirmPassword: "secret-again" }),
    );
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.values).toEqual({
      name: "",
      email: valid.email,
      role: "member",
      seats: "3",
    });
  });

  test("a custom message on the schema is kept as the key", () => {
    const Reset = z
      .object({ password: z.string(), confirmPassword: z.string() })
      .refine((v) => v.password === v.confirmPassword, {
        path: ["confirmPassword"],
        message: "auth:reset.mismatch",
      });
    const result = parseForm(Reset, form({ password: "a", confirmPassword: "b" }));
    expect(result).toMatchObject({
      success: false,
      errors: { confirmPassword: { key: "auth:reset.mismatch" } },
    });
  });

  test("a NUL byte (which PostgreSQL text cannot hold) is invalid, not a crash later", () => {
    const result = parseForm(Signup, form({ ...valid, name: "Co\u0000ra" }));
    expect(result).toMatchObject({
      success: false,
      errors: { name: { key: "validation.invalid" } },
    });
  });

  test("file inputs are ignored, not parsed as strings", () => {
    const data = form(valid);
    data.set("name", new File(["x"], "name.txt"));
    const result = parseForm(Signup, data);
    expect(result).toMatchObject({
      success: false,
      errors: { name: { key: "validation.required" } },
    });
  });
});

describe("fieldErrorsFrom / parseObject", () => {
  test("nested paths are dotted; a root-level issue is 'form'", () => {
    const schema = z
      .object({ address: z.object({ city: z.string().min(2) }) })
      .refine(() => false, { message: "common:formBroken" });
    const parsed = parseObject(schema, { address: { city: "x" } });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(fieldErrorsFrom(parsed.error)).toEqual({
      "address.city": { key: "validation.tooShort", values: { limit: 2 } },
      form: { key: "common:formBroken" },
    });
    const root = parseObject(schema, { address: { city: "Berlin" } });
    if (!root.success)
      expect(fieldErrorsFrom(root.error)).toEqual({ form: { key: "common:formBroken" } });
    expect(root.success).toBe(false);
  });
});
