// What support's page of one partner shows: its terms and status, its team and pending
// invitations, the latest of its bundles, batches, codes, clients and statements (read-only),
// and its audit trail. Reads only; the changes are in partner-admin.server.ts.
import type { Database } from "~db/index.ts";
import { listPendingPartnerInvitations } from "~/auth/invitations.server";
import { listAudit } from "./audit.server";
import { listBatches } from "./batches/reads.server";
import { listBundles } from "./bundles.server";
import { listClients } from "./clients/reads.server";
import { listCodes } from "./codes/reads.server";
import { getPartnerTerms, listPartnerTeam } from "./partners.server";
import { listStatements } from "./statements/reads.server";

const LATEST = 10;

export async function supportPartnerPage(
  db: Database,
  { partnerId, now }: { partnerId: string; now: Date },
) {
  const [terms, team, pending, bundles, batches, codes, clients, statements, audit] =
    await Promise.all([
      getPartnerTerms(db, { partnerId }),
      listPartnerTeam(db, { partnerId }),
      listPendingPartnerInvitations(db, partnerId, now),
      listBundles(db, { partnerId, status: "all", limit: LATEST, now }),
      listBatches(db, { partnerId, limit: LATEST }),
      listCodes(db, { partnerId, limit: LATEST, now }),
      listClients(db, { partnerId, limit: LATEST, now }),
      listStatements(db, { partnerId, now }),
      listAudit(db, { partnerId }, { limit: 20 }),
    ]);
  return {
    terms,
    team,
    pending,
    bundles: bundles.rows.map((b) => ({
      id: b.id,
      name: b.name,
      status: b.status,
      staffSeats: b.staffSeats,
      cardOperations: b.cardOperations,
      termMonths: b.termMonths,
      codeCount: b.codeCount,
    })),
    batches: batches.rows.map((b) => ({
      id: b.id,
      bundleName: b.bundleName,
      codeCount: b.codeCount,
      status: b.status,
      label: b.label,
      createdAt: b.createdAt,
    })),
    codes: codes.rows.map((c) => ({
      serial: c.serial,
      bundleName: c.bundleName,
      status: c.status,
      recipientName: c.recipientName,
      expiresAt: c.expiresAt,
    })),
    clients: clients.rows.map((c) => ({
      businessId: c.businessId,
      businessName: c.businessName,
      codesClaimed: c.codesClaimed,
      cardOperationsUsed: c.cardOperationsUsed,
      cardOperationsGranted: c.cardOperationsGranted,
    })),
    statements: statements.slice(0, 12).map((s) => ({
      id: s.id,
      month: s.month,
      status: s.status,
      number: s.number,
      totalCents: s.totals.totalCents,
    })),
    audit: audit.rows,
  };
}
