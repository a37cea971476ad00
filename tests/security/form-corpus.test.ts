// Bad input over every form route: each route module with an action is posted, as a
// signed-in user who may do everything (support, partner owner, business owner), every
// intent its source names with fields full of what no form sends — NUL bytes, 100,000
// characters, impossible dates, negative numbers, markup. Each must answer 4xx (a field
// error), never a redirect that took it, never a 5xx, and nothing may be written.
import { beforeAll, expect, test } from "vitest";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  addPartnerMember,
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createPartner,
  createUser,
} from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, makeContext } from "../helpers/remix.ts";
import { tableCounts } from "./written.ts";
import { at } from "../helpers/rows.ts";

type RouteModule = { action?: unknown };

const modules = import.meta.glob<RouteModule>("/app/routes/*.tsx", { eager: true });
const sources = import.meta.glob<string>("/app/routes/*.tsx", {
  eager: true,
  query: "?raw",
  import: "default",
});

/**
 * Routes whose action takes an empty or any form by design: signing out ends the session
 * whatever is posted.
 */
const ACCEPTS_ANY_FORM = new Set(["logout.tsx"]);

/**
 * Actions that read no field besides their intent (and routes that answer a bad link with a
 * redirect): with every field broken they still do what they do, which is right.
 */
const ACCEPTED_WITHOUT_FIELDS = [
  // Archiving a bundle takes no field: the confirmation is the request.
  '_app.partner.$slug.bundles.$bundleId._index.tsx intent="archive"',
];

/** Field names the portal's forms use, each sent broken. */
const FIELDS = [
  "email",
  "name",
  "password",
  "confirmPassword",
  "businessName",
  "businessId",
  "count",
  "prefix",
  "expiresOn",
  "label",
  "recipient",
  "reason",
  "role",
  "staffSeats",
  "cardOperations",
  "termMonths",
  "codeValidityDays",
  "resalePrice",
  "plan",
  "planId",
  "code",
  "note",
  "recipientName",
  "recipientEmail",
  "recipientNote",
  "lockToEmail",
  "discount",
  "slug",
  "type",
  "taxRate",
  "specialTerms",
  "statementPrefix",
  "ownerEmail",
  "keyId",
  "memberId",
  "userId",
  "serial",
  "locale",
  "redirectTo",
];

/** Values no field of any form accepts: a NUL byte, and more than any field's maximum. */
const BROKEN_VALUES = ["a\u0000b", "x".repeat(100_000)];

let cookie = "";
const params: Record<string, string> = {};

beforeAll(async () => {
  const user = await createUser();
  await testDb()
    .db.updateTable("users")
    .set({ is_support: true })
    .where("id", "=", user.id)
    .execute();
  const partner = await createPartner();
  await addPartnerMember(partner.id, user.id, "owner");
  const business = await createBusiness();
  await addBusinessMember(business.id, user.id, "owner");
  const bundle = await createBundle(partner.id);
  const { batch, codes } = await createBatchWithCodes(bundle, { count: 2 });
  cookie = (await signInAs(user)).cookie;
  Object.assign(params, {
    slug: partner.slug,
    businessId: business.id,
    bundleId: bundle.id,
    batchId: batch.id,
    serial: String(at(codes, 0, "code").id),
    code: at(codes, 1, "code").code,
    month: new Date().toISOString().slice(0, 7),
    statementId: "00000000-0000-0000-0000-000000000000",
    token: "not-a-real-token-0123456789",
  });
});

function routeParams(file: string): Record<string, string> {
  const names = [...file.matchAll(/\$([a-zA-Z]+)/g)].map((m) => at(m, 1, "parameter name"));
  return Object.fromEntries(names.map((name) => [name, params[name] ?? "x"]));
}

function pathOf(file: string, values: Record<string, string>): string {
  const name = file.replace(/\.tsx$/, "").replace(/^_[a-z]+\./, "");
  const segments = name
    .split(".")
    .filter((s) => !s.startsWith("_") && s !== "$")
    .map((s) => (s.startsWith("$") ? encodeURIComponent(values[s.slice(1)] ?? "x") : s));
  return `/${segments.join("/")}`;
}

/** The intents a route's source dispatches on (`intent === "…"`, `z.literal("…")`). */
function intentsOf(source: string): string[] {
  const found = new Set<string>(["", "no-such-intent"]);
  for (const m of source.matchAll(/intent\s*===\s*"([\w-]+)"/g)) found.add(at(m, 1, "intent"));
  for (const m of source.matchAll(/z\.literal\("([\w-]+)"\)/g)) found.add(at(m, 1, "intent"));
  return [...found];
}

test("every form route refuses broken input with 4xx and writes nothing", async () => {
  const failures: string[] = [];
  let cases = 0;
  const routes = Object.entries(modules)
    .map(([file, module]) => [file.replace(/^.*\/routes\//, ""), module] as const)
    .filter(
      ([file, module]) => module.action && !file.startsWith("api.") && !ACCEPTS_ANY_FORM.has(file),
    );
  expect(routes.length).toBeGreaterThan(10);

  const accepted = new Set<string>();
  for (const [file, module] of routes) {
    const source = sources[`/app/routes/${file}`] ?? "";
    const values = routeParams(file);
    const path = pathOf(file, values);
    for (const intent of intentsOf(source)) {
      for (const broken of BROKEN_VALUES) {
        const fields: Record<string, string> = { intent };
        for (const field of FIELDS) fields[field] = broken;
        cases += 1;
        const before = await tableCounts();
        let status: number;
        try {
          const result = await callRoute(module.action as Parameters<typeof callRoute>[0], {
            request: formRequest(path, fields, { cookie }),
            params: values,
            context: makeContext(),
          });
          status = result.status;
        } catch (error) {
          // callRoute turns thrown Responses into results: anything thrown here is a crash.
          failures.push(
            `${file} intent=${JSON.stringify(intent)}: threw ${String(error).slice(0, 160)}`,
          );
          continue;
        }
        const what = `${file} intent=${JSON.stringify(intent)} ${broken.length > 10 ? "100,000 characters" : "a NUL"}`;
        if (status >= 500) failures.push(`${what}: ${status}`);
        else if (status < 400) accepted.add(`${file} intent=${JSON.stringify(intent)}`);
        else {
          const after = await tableCounts();
          const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
          if (changed.length)
            failures.push(`${what}: refused (${status}) but wrote ${changed.join(", ")}`);
        }
      }
    }
  }
  // Only actions that read no field may go ahead with these values (they ignore the rest).
  expect([...accepted].sort()).toEqual(ACCEPTED_WITHOUT_FIELDS);
  expect(failures).toEqual([]);
  expect(cases).toBeGreaterThan(100);
}, 300_000);
