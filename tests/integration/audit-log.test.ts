// The audit log reads in the business's words: one subject vocabulary (a claim is recorded
// on the same subject the code page reads), subjects named and linked, the system one actor.
import { describe, expect, test } from "vitest";
import { listAudit, recordAudit, systemActor } from "~/domain/audit.server";
import { codeHistory } from "~/domain/codes/reads.server";
import { rollBackClaim } from "~/domain/claim-rollbacks.server";
import { AUDIT_ACTIONS, auditSubjectHref } from "~/lib/audit";
import support from "~/locales/en/support";
import { testDb } from "../db.ts";
import {
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createPartnerWithOwner,
} from "../factories.ts";
import { at, first } from "../helpers/rows.ts";

describe("audit subjects", () => {
  test("a claim and its roll-back show in the code's history, on the code's subject", async () => {
    const { partner } = await createPartnerWithOwner({ name: "Audit Agency" });
    const { codes } = await createBatchWithCodes(await createBundle(partner.id), { count: 1 });
    const code = first(codes, "code");
    const { business } = await claimByNewBusiness(code);
    await rollBackClaim(testDb().db, {
      code: code.code,
      reason: "Sold by mistake",
      actor: systemActor,
      ip: null,
      now: new Date(),
    });

    const history = await codeHistory(testDb().db, { partnerId: partner.id, serial: code.id });
    expect(history.map((entry) => entry.action)).toEqual([
      "code.created",
      "code.claimed",
      "claim.rolled_back",
    ]);
    expect(at(history, 1, "history entry").details.business).toBe(business.name);

    const { rows } = await listAudit(testDb().db, { partnerId: partner.id });
    const claim = rows.find((row) => row.action === "code.claimed")!;
    expect(claim.subject).toMatchObject({ type: "activation_code", id: String(code.id) });
    expect(auditSubjectHref(claim.subject!)).toBe(`/support/codes/${code.id}`);
    const rollBack = rows.find((row) => row.action === "claim.rolled_back")!;
    expect(rollBack.actorIsSystem).toBe(true);
    expect(rollBack.subject).toMatchObject({
      business: { id: business.id, name: business.name },
      partner: { slug: partner.slug, name: "Audit Agency" },
    });
  });

  test("a bundle's entry links to its partner's page; a person's names their account", async () => {
    const { partner, owner } = await createPartnerWithOwner({ name: "Bundle Agency" });
    const actor = { userId: owner.id, label: owner.email };
    await recordAudit(testDb().db, {
      actor,
      action: "bundle.created",
      partnerId: partner.id,
      subject: { type: "bundle", id: "00000000-0000-4000-8000-000000000001" },
    });
    await recordAudit(testDb().db, {
      actor,
      action: "auth.signed_in",
      subject: { type: "user", id: owner.id },
    });
    const { rows } = await listAudit(testDb().db, {});
    const created = rows.find((row) => row.action === "bundle.created")!;
    expect(auditSubjectHref(created.subject!)).toBe(`/support/partners/${partner.slug}`);
    expect(created.actorIsSystem).toBe(false);
    const signedIn = rows.find((row) => row.action === "auth.signed_in")!;
    expect(signedIn.subject).toMatchObject({ type: "user", userEmail: owner.email });
  });

  test("every action the portal records has a label in the catalogue", () => {
    for (const action of AUDIT_ACTIONS) {
      expect(support.actions[action], action).toMatch(/\S/);
    }
  });
});
