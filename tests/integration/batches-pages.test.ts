// The batch pages as Remix calls them: generating from the form (in the request, or left to
// the job), the batch page and its revoke action, the batches list and the dashboard —
// tenancy on every one, field errors that write nothing, redirects with a flash.
import type { Selectable } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { claimCode } from "~/domain/redemption.server";
import { loader as dashboardLoader } from "~/routes/_app.partner.$slug._index";
import { loader as batchesLoader } from "~/routes/_app.partner.$slug.batches._index";
import {
  action as batchAction,
  loader as batchLoader,
} from "~/routes/_app.partner.$slug.batches.$batchId";
import {
  action as generateAction,
  loader as generateLoader,
} from "~/routes/_app.partner.$slug.bundles.$bundleId.generate";
import type { Bundles, Partners } from "~db/schema.ts";
import { testDb } from "../db.ts";
import {
  addPartnerMember,
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { auditRows, countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";

let partnerA: Selectable<Partners>;
let partnerB: Selectable<Partners>;
let bundleA: Selectable<Bundles>;
let bundleB: Selectable<Bundles>;
let ownerA: string;
let memberA: string;
let ownerB: string;

beforeAll(async () => {
  const a = await createPartnerWithOwner();
  const b = await createPartnerWithOwner();
  partnerA = a.partner;
  partnerB = b.partner;
  ownerA = (await signInAs(a.owner)).cookie;
  ownerB = (await signInAs(b.owner)).cookie;
  const member = await createUser();
  await addPartnerMember(partnerA.id, member.id, "member");
  memberA = (await signInAs(member)).cookie;
  bundleA = await createBundle(partnerA.id, { name: "Café Starter" });
  bundleB = await createBundle(partnerB.id);
});

function generate(slug: string, bundleId: string, fields: Record<string, string>, cookie: string) {
  return callRoute<FormFailureBody>(generateAction, {
    request: formRequest(`/partner/${slug}/bundles/${bundleId}/generate`, fields, { cookie }),
    params: { slug, bundleId },
  });
}

function batchPage(slug: string, batchId: string, cookie: string) {
  return callRoute<{
    batch: { id: string; status: string; codeCount: number };
    counts: { outstanding: number; revoked: number } | null;
    cardParts: number;
  }>(batchLoader, {
    request: getRequest(`/partner/${slug}/batches/${batchId}`, { cookie }),
    params: { slug, batchId },
  });
}

const tables = ["code_batches", "activation_codes", "audit_log"] as const;

describe("generating from the form", () => {
  test("25 codes are made at once; the batch page shows them ready", async () => {
    const result = await generate(
      partnerA.slug,
      bundleA.id,
      { count: "25", prefix: "cafe", label: "Fair", recipient: "", expiresOn: "" },
      memberA,
    );
    expect(result.status).toBe(302);
    const batchId = result.location!.split("/").pop()!;
    expect(result.location).toBe(`/partner/${partnerA.slug}/batches/${batchId}`);
    const page = await batchPage(partnerA.slug, batchId, ownerA);
    expect(page.body.batch).toMatchObject({ status: "ready", codeCount: 25 });
    expect(page.body.counts).toMatchObject({ outstanding: 25, revoked: 0 });
    expect(page.body.cardParts).toBe(1);
  });

  test("more than 10,000 codes are left generating for the job", async () => {
    const result = await generate(
      partnerA.slug,
      bundleA.id,
      { count: "10001", prefix: "", label: "", recipient: "", expiresOn: "" },
      ownerA,
    );
    const batchId = result.location!.split("/").pop()!;
    const page = await batchPage(partnerA.slug, batchId, ownerA);
    expect(page.body.batch).toMatchObject({ status: "generating", codeCount: 10_001 });
    expect(page.body.counts).toBeNull();
  });

  test.each([
    [{ count: "0" }, "count"],
    [{ count: "1000001" }, "count"],
    [{ count: "-3" }, "count"],
    [{ count: "ten" }, "count"],
    [{ count: "5", prefix: "caf-e" }, "prefix"],
    [{ count: "5", prefix: "TOOLONGPX" }, "prefix"],
    [{ count: "5", expiresOn: "2001-01-01" }, "expiresOn"],
    [{ count: "5", expiresOn: "soon" }, "expiresOn"],
    [{ count: "5", label: "x".repeat(121) }, "label"],
  ])("%j is refused on %s and writes nothing", async (fields, field) => {
    const before = await countRows([...tables]);
    const result = await generate(partnerA.slug, bundleA.id, fields, ownerA);
    expect(result.status).toBe(400);
    expect(Object.keys(result.body.errors)).toEqual([field]);
    expect(await countRows([...tables])).toEqual(before);
  });

  test("an archived bundle is refused with a message; nothing is written", async () => {
    const archived = await createBundle(partnerA.id, { status: "archived" });
    const before = await countRows([...tables]);
    const result = await generate(partnerA.slug, archived.id, { count: "5" }, ownerA);
    expect(result.status).toBe(400);
    expect(result.body.formError).toEqual({ key: "batches:errors.bundle_archived" });
    expect(await countRows([...tables])).toEqual(before);
  });
});

describe("tenancy", () => {
  test("another partner's bundle, batch or slug answers 404 and writes nothing", async () => {
    const { batch } = await createBatchWithCodes(bundleB, { count: 2 });
    const before = await countRows([...tables]);
    const loaded = await callRoute(generateLoader, {
      request: getRequest(`/partner/${partnerA.slug}/bundles/${bundleB.id}/generate`, {
        cookie: ownerA,
      }),
      params: { slug: partnerA.slug, bundleId: bundleB.id },
    });
    expect(loaded.status).toBe(404);
    expect((await generate(partnerA.slug, bundleB.id, { count: "5" }, ownerA)).status).toBe(404);
    expect((await generate(partnerB.slug, bundleB.id, { count: "5" }, ownerA)).status).toBe(404);
    expect((await batchPage(partnerA.slug, batch.id, ownerA)).status).toBe(404);
    expect((await batchPage(partnerA.slug, "not-a-uuid", ownerA)).status).toBe(404);
    const revoke = await callRoute(batchAction, {
      request: formRequest(
        `/partner/${partnerA.slug}/batches/${batch.id}`,
        { reason: "mine now" },
        { cookie: ownerA },
      ),
      params: { slug: partnerA.slug, batchId: batch.id },
    });
    expect(revoke.status).toBe(404);
    expect(await countRows([...tables])).toEqual(before);
    const codes = await testDb()
      .db.selectFrom("activation_codes")
      .select("status")
      .where("batch_id", "=", batch.id)
      .execute();
    expect(codes.every((code) => code.status === "issued")).toBe(true);
  });

  test("the batches list and the dashboard show only the partner's own", async () => {
    const { batch: theirs } = await createBatchWithCodes(bundleB, { count: 4 });
    const list = await callRoute<{ rows: { id: string }[] }>(batchesLoader, {
      request: getRequest(`/partner/${partnerA.slug}/batches`, { cookie: ownerA }),
      params: { slug: partnerA.slug },
    });
    expect(list.body.rows.length).toBeGreaterThan(0);
    expect(list.body.rows.map((row) => row.id)).not.toContain(theirs.id);
    const mine = await testDb()
      .db.selectFrom("activation_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partner_id", "=", partnerA.id)
      .executeTakeFirstOrThrow();
    const dashboard = await callRoute<{ codes: { issued: number } }>(dashboardLoader, {
      request: getRequest(`/partner/${partnerA.slug}`, { cookie: ownerA }),
      params: { slug: partnerA.slug },
    });
    expect(dashboard.body.codes.issued).toBe(Number(mine.n));
    const fromB = await callRoute(batchesLoader, {
      request: getRequest(`/partner/${partnerA.slug}/batches`, { cookie: ownerB }),
      params: { slug: partnerA.slug },
    });
    expect(fromB.status).toBe(404);
    const other = await callRoute(batchesLoader, {
      request: getRequest(`/partner/${partnerB.slug}/batches`, { cookie: ownerA }),
      params: { slug: partnerB.slug },
    });
    expect(other.status).toBe(404);
  });
});

describe("revoking a batch's unclaimed codes", () => {
  test("needs a reason, then revokes them all in one audited step", async () => {
    const { batch } = await createBatchWithCodes(bundleA, { count: 6 });
    const post = (fields: Record<string, string>) =>
      callRoute<FormFailureBody>(batchAction, {
        request: formRequest(`/partner/${partnerA.slug}/batches/${batch.id}`, fields, {
          cookie: ownerA,
        }),
        params: { slug: partnerA.slug, batchId: batch.id },
      });
    const empty = await post({ reason: " " });
    expect(empty.status).toBe(400);
    expect(Object.keys(empty.body.errors)).toEqual(["reason"]);
    const done = await post({ reason: "Event cancelled" });
    expect(done.status).toBe(302);
    const page = await batchPage(partnerA.slug, batch.id, ownerA);
    expect(page.body.counts).toMatchObject({ outstanding: 0, revoked: 6 });
    const audit = (await auditRows("batch.codes_revoked")).filter((r) => r.subject_id === batch.id);
    expect(audit).toHaveLength(1);
  });
});

describe("revoking while a batch is still generating", () => {
  test("is refused with a message, not an error, and changes nothing", async () => {
    const { batch } = await createBatchWithCodes(bundleA, { count: 20_000, status: "generating" });
    const before = await countRows([...tables]);
    const result = await callRoute<FormFailureBody>(batchAction, {
      request: formRequest(
        `/partner/${partnerA.slug}/batches/${batch.id}`,
        { reason: "Too early" },
        { cookie: ownerA },
      ),
      params: { slug: partnerA.slug, batchId: batch.id },
    });
    expect(result.status).toBe(409);
    expect(result.body.formError).toEqual({ key: "batches:errors.batch_not_ready" });
    expect(await countRows([...tables])).toEqual(before);
  });
});

describe("the dashboard", () => {
  test("counts codes by what became of them", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    const bundle = await createBundle(partner.id, { staffSeats: 3, cardOperations: 500 });
    const { codes } = await createBatchWithCodes(bundle, { count: 5 });
    const { db } = testDb();
    await claimByNewBusiness(at(codes, 0, "code"));
    await db
      .updateTable("activation_codes")
      .set({ status: "revoked", revoked_at: new Date(), revoke_reason: "x" })
      .where("id", "=", at(codes, 1, "code").id)
      .execute();
    await db
      .updateTable("activation_codes")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", at(codes, 2, "code").id)
      .execute();
    await db
      .updateTable("activation_codes")
      .set({ handed_out_at: new Date(), recipient_name: "Deli" })
      .where("id", "=", at(codes, 3, "code").id)
      .execute();
    const result = await callRoute<{ codes: Record<string, number> }>(dashboardLoader, {
      request: getRequest(`/partner/${partner.slug}`, { cookie }),
      params: { slug: partner.slug },
    });
    expect(result.body.codes).toEqual({
      issued: 5,
      claimed: 1,
      outstanding: 2,
      expired: 1,
      revoked: 1,
      handedOut: 1,
      staffSeatsClaimed: 3,
      cardOperationsClaimed: 500,
      clients: 1,
    });
  });
});

describe("the dashboard's clients", () => {
  test("counts each business that claimed one of the partner's codes once", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const { codes } = await createBatchWithCodes(await createBundle(partner.id), { count: 3 });
    const first = await claimByNewBusiness(at(codes, 0, "code"));
    await claimByNewBusiness(at(codes, 1, "code"));
    // A second code for the same business is still one client.
    await claimCode(testDb().db, {
      businessId: first.business.id,
      code: at(codes, 2, "code").code,
      actor: { userId: first.owner.id, label: first.owner.email, email: first.owner.email },
      ip: null,
      now: new Date(),
    });
    const dashboard = await callRoute<{ codes: { clients: number } }>(dashboardLoader, {
      request: getRequest(`/partner/${partner.slug}`, { cookie: (await signInAs(owner)).cookie }),
      params: { slug: partner.slug },
    });
    expect(dashboard.body.codes.clients).toBe(2);
  });
});
