// Runs alongside database.test.ts: both insert the same email into their own database.
import { expect, test } from "vitest";
import { testDb } from "../db.ts";
import { createUser } from "../factories.ts";

const SHARED_EMAIL = "same-in-every-file@example.test";

test("this file starts from the migrated template with no users", async () => {
  const users = await testDb().db.selectFrom("users").select("id").execute();
  expect(users).toEqual([]);
});

test("inserting an email another file also inserts does not conflict", async () => {
  const user = await createUser({ email: SHARED_EMAIL, password: null });
  expect(user.password_hash).toBeNull();
  const rows = await testDb().db.selectFrom("users").select("email").execute();
  expect(rows).toEqual([{ email: SHARED_EMAIL }]);
});
