// Support's code look-up: find any code by code (any formatting) or #N; extend, revoke and roll
// back from its page — each audited, each refused in the wrong state with nothing written.
import { beforeAll, describe, expect, test } from "vitest";
import { formatCode } from "~/lib/activation-code";
import { loader as searchLoader } from "~/routes/_app.support.codes._index";
import { action as codeAction, loader as codeLoader } from "~/routes/_app.support.codes.$serial";
import { testDb } from "../db.ts";
import {
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createPartner,
  createUser,
} from "../factories.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { at, first } from "../helpers/rows.ts";

let support: { id: string; cookie: string };
let codes: { id: number; code: string }[];
let partnerSlug: string;

beforeAll(async () => {
  const user = await createUser({ isSupport: true });
  support = { id: user.id, cookie: (await signInAs(user)).cookie };
  const partner = await createPartner({ name: "Lookup Partner" });
  partnerSlug = partner.slug;
  const bundle = await createBundle(partner.id);
  codes = (await createBatchWithCodes(bundle, { count: 10, prefix: "CAFE" })).codes;
});

function search(q: string) {
  return callRoute<{ q: string; error: { key: string } | null }>(searchLoader, {
    request: getRequest(`/support/codes?q=${encodeURIComponent(q)}`, { cookie: support.cookie }),
  });
}

function post(serial: number, fields: Record<string, string>) {
  return callRoute<FormFailureBody>(codeAction, {
    request: formRequest(`/support/codes/${serial}`, fields, { cookie: support.cookie }),
    params: { serial: String(serial) },
  });
}

async function codeRow(serial: number) {
  return testDb()
    .db.selectFrom("activation_codes")
    .select(["status", "expires_at", "revoked_at", "revoke_reason"])
    .where("id", "=", serial)
    .executeTakeFirstOrThrow();
}

async function audits(action: string, serial: number) {
  return (await auditRows(action)).filter((row) => row.subject_id === String(serial));
}

describe("finding a code", () => {
  test("by the code in any formatting, or by #N; a typo and an unknown code say so", async () => {
    const code = first(codes, "code");
    const formatted = formatCode(code.code, "CAFE");
    for (const q of [
      code.code,
      formatted,
      formatted.toLowerCase().replace(/-/g, " "),
      `#${code.id}`,
      String(code.id),
    ]) {
      const result = await search(q);
      expect(result.status, q).toBe(302);
      expect(result.location, q).toBe(`/support/codes/${code.id}`);
    }
    const typo = code.code.slice(0, 15) + (code.code[15] === "0" ? "1" : "0");
    expect((await search(typo)).body.error?.key).toBe("support:codes.mistyped");
    expect((await search("#999999999")).body.error?.key).toBe("support:codes.notFound");
    expect((await search("hello")).body.error?.key).toBe("support:codes.notFound");
  });

  test("its page shows partner, claim with the price snapshot, and links; unknown is 404", async () => {
    const code = at(codes, 1, "code");
    const { business } = await claimByNewBusiness(code);
    const page = await callRoute<{
      page: {
        partner: { slug: string };
        claim: { businessId: string; retailCents: number; wholesaleCents: number } | null;
        history: { action: string }[];
      };
    }>(codeLoader, {
      request: getRequest(`/support/codes/${code.id}`, { cookie: support.cookie }),
      params: { serial: String(code.id) },
    });
    expect(page.status).toBe(200);
    expect(page.body.page.partner.slug).toBe(partnerSlug);
    expect(page.body.page.claim?.businessId).toBe(business.id);
    expect(page.body.page.claim?.wholesaleCents).toBeGreaterThan(0);
    expect(first(page.body.page.history, "history entry").action).toBe("code.created");
    for (const serial of ["999999999", "abc", "0"]) {
      const missing = await callRoute(codeLoader, {
        request: getRequest(`/support/codes/${serial}`, { cookie: support.cookie }),
        params: { serial },
      });
      expect(missing.status, serial).toBe(404);
    }
  });
});

describe("correcting a code", () => {
  test("extend: later dates only, unclaimed only, audited", async () => {
    const code = at(codes, 2, "code");
    const before = await codeRow(code.id);
    const later = new Date(before.expires_at.getTime() + 30 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const earlier = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

    const refused = await post(code.id, {
      intent: "extend",
      expiresOn: earlier,
      reason: "Customer asked",
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.expiresOn?.key).toBe("support:errors.expiry_not_later");
    const noReason = await post(code.id, { intent: "extend", expiresOn: later, reason: "" });
    expect(noReason.body.errors.reason?.key).toBe("validation.required");
    expect(await codeRow(code.id)).toEqual(before);

    const extended = await post(code.id, {
      intent: "extend",
      expiresOn: later,
      reason: "Customer asked",
    });
    expect(extended.status).toBe(302);
    expect((await codeRow(code.id)).expires_at.toISOString()).toBe(`${later}T23:59:59.999Z`);
    const [audit] = await audits("code.expiry_extended", code.id);
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      reason: "Customer asked",
      before: { expires_at: before.expires_at.toISOString() },
    });

    const claimed = at(codes, 3, "code");
    await claimByNewBusiness(claimed);
    const claimedBefore = await codeRow(claimed.id);
    const onClaimed = await post(claimed.id, {
      intent: "extend",
      expiresOn: later,
      reason: "Too late",
    });
    expect(onClaimed.status).toBe(409);
    expect(onClaimed.body.formError?.key).toBe("support:errors.code_not_extendable");
    expect(await codeRow(claimed.id)).toEqual(claimedBefore);
    expect(await audits("code.expiry_extended", claimed.id)).toEqual([]);
  });

  test("an expired code extended becomes claimable again", async () => {
    const code = at(codes, 4, "code");
    await testDb()
      .db.updateTable("activation_codes")
      .set({ expires_at: new Date(Date.now() - 86_400_000) })
      .where("id", "=", code.id)
      .execute();
    const later = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    expect(
      (await post(code.id, { intent: "extend", expiresOn: later, reason: "Grace period" })).status,
    ).toBe(302);
    const { claimed } = await claimByNewBusiness(code);
    expect(claimed.serial).toBe(code.id);
  });

  test("revoke: unclaimed only, audited; refused on a claimed code with nothing written", async () => {
    const code = at(codes, 5, "code");
    const revoked = await post(code.id, { intent: "revoke", reason: "Sent to the wrong shop" });
    expect(revoked.status).toBe(302);
    expect(await codeRow(code.id)).toMatchObject({
      status: "revoked",
      revoke_reason: "Sent to the wrong shop",
    });
    expect(await audits("code.revoked", code.id)).toHaveLength(1);
    const again = await post(code.id, { intent: "revoke", reason: "Again" });
    expect(again.status).toBe(409);
    expect(again.body.formError?.key).toBe("support:errors.code_not_revocable");

    const claimed = at(codes, 6, "code");
    await claimByNewBusiness(claimed);
    const before = await codeRow(claimed.id);
    const refused = await post(claimed.id, { intent: "revoke", reason: "Should not work" });
    expect(refused.status).toBe(409);
    expect(await codeRow(claimed.id)).toEqual(before);
    expect(await audits("code.revoked", claimed.id)).toEqual([]);
  });

  test("roll back: a claimed code once, audited with the reason; refused when unclaimed or done", async () => {
    const code = at(codes, 7, "code");
    const { business } = await claimByNewBusiness(code);
    const rolled = await post(code.id, {
      intent: "rollBack",
      reason: "Refund agreed with the partner",
    });
    expect(rolled.status).toBe(302);
    const rollback = await testDb()
      .db.selectFrom("claim_rollbacks")
      .select(["business_id", "reason", "rolled_back_by"])
      .where("activation_code_id", "=", code.id)
      .executeTakeFirstOrThrow();
    expect(rollback).toEqual({
      business_id: business.id,
      reason: "Refund agreed with the partner",
      rolled_back_by: support.id,
    });
    const [audit] = (await auditRows("claim.rolled_back")).filter(
      (r) => r.subject_id === String(code.id),
    );
    expect(audit).toMatchObject({
      actor_user_id: support.id,
      reason: "Refund agreed with the partner",
    });

    const twice = await post(code.id, { intent: "rollBack", reason: "Again" });
    expect(twice.status).toBe(409);
    expect(twice.body.formError?.key).toBe("support:errors.claim_already_rolled_back");

    const unclaimed = at(codes, 8, "code");
    const notClaimed = await post(unclaimed.id, { intent: "rollBack", reason: "Nothing to undo" });
    expect(notClaimed.status).toBe(409);
    expect(notClaimed.body.formError?.key).toBe("support:errors.code_not_claimed");
    const count = await testDb()
      .db.selectFrom("claim_rollbacks")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  test("a partner user gets 404 for the look-up and the actions", async () => {
    const partnerUser = await createUser();
    const cookie = (await signInAs(partnerUser)).cookie;
    const code = at(codes, 9, "code");
    const result = await callRoute(codeAction, {
      request: formRequest(
        `/support/codes/${code.id}`,
        { intent: "revoke", reason: "Nope nope" },
        { cookie },
      ),
      params: { serial: String(code.id) },
    });
    expect(result.status).toBe(404);
    expect((await codeRow(code.id)).status).toBe("issued");
  });
});
