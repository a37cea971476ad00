// The partner home's figures: how its codes stand and what its clients received. Each
// figure is one small query over an index, so the page stays quick at millions of codes.
import { sql } from "kysely";
import type { Database } from "~db/index.ts";
import { codeExpired } from "./predicates.server";

export interface PartnerCodeSummary {
  /** Every code generated, whatever became of it. */
  issued: number;
  claimed: number;
  /** Unclaimed and still claimable. */
  outstanding: number;
  /** Unclaimed past its expiry. */
  expired: number;
  revoked: number;
  handedOut: number;
  /** Staff seats and card operations in the codes clients claimed. */
  staffSeatsClaimed: number;
  cardOperationsClaimed: number;
  /** Businesses that claimed at least one of the partner's codes (the clients list's rows). */
  clients: number;
}

export async function partnerCodeSummary(
  db: Database,
  { partnerId, now }: { partnerId: string; now: Date },
): Promise<PartnerCodeSummary> {
  const [byStatus, expired, handedOut, claimedContent, clients] = await Promise.all([
    db
      .selectFrom("activation_codes")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("partner_id", "=", partnerId)
      .groupBy("status")
      .execute(),
    db
      .selectFrom("activation_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partner_id", "=", partnerId)
      .where(codeExpired("activation_codes", now))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("activation_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partner_id", "=", partnerId)
      .where("handed_out_at", "is not", null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("activation_codes")
      .innerJoin("bundles", "bundles.id", "activation_codes.bundle_id")
      .select([
        sql<number>`coalesce(sum(bundles.staff_seats), 0)::int8`.as("seats"),
        sql<number>`coalesce(sum(bundles.card_operations), 0)::int8`.as("operations"),
      ])
      .where("activation_codes.partner_id", "=", partnerId)
      .where("activation_codes.status", "=", "claimed")
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("grants")
      .select(sql<number>`count(distinct business_id)::int8`.as("n"))
      .where("partner_id", "=", partnerId)
      .where("source", "=", "code")
      .executeTakeFirstOrThrow(),
  ]);
  const count = (status: string) => Number(byStatus.find((r) => r.status === status)?.n ?? 0);
  const unclaimed = count("issued");
  return {
    issued: unclaimed + count("claimed") + count("revoked"),
    claimed: count("claimed"),
    outstanding: unclaimed - Number(expired.n),
    expired: Number(expired.n),
    revoked: count("revoked"),
    handedOut: Number(handedOut.n),
    staffSeatsClaimed: Number(claimedContent.seats),
    cardOperationsClaimed: Number(claimedContent.operations),
    clients: Number(clients.n),
  };
}
