// A business's billing details (legal name, address, country, VAT id): what its invoices
// are addressed to, copied into each invoice when it is issued (so a later edit or a rename
// never reaches an issued invoice).
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { fieldIssue, nameField } from "~/lib/fields";
import { storable } from "~/lib/storable-text";
import { recordAudit, type AuditActor } from "../audit.server";
import { isVatIdValidInForm, normaliseVatId } from "./vat";

export const BillingDetailsSchema = z
  .object({
    legalName: nameField(200),
    address: z.string().trim().min(1).max(500).refine(storable, "validation.invalid"),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, { message: "invoices:details.errors.country" }),
    vatId: z
      .string()
      .trim()
      .max(30)
      .default("")
      .transform((text) => (text ? normaliseVatId(text) : null)),
  })
  .superRefine((input, ctx) => {
    if (input.vatId && !isVatIdValidInForm(input.vatId, input.country))
      fieldIssue(ctx, "invoices:details.errors.vatId", { path: ["vatId"] });
  });
export type BillingDetailsInput = z.output<typeof BillingDetailsSchema>;

export interface BillingDetails {
  legalName: string;
  address: string;
  country: string;
  vatId: string | null;
}

export async function getBillingDetails(
  db: Database,
  { businessId }: { businessId: string },
): Promise<BillingDetails | null> {
  const row = await db
    .selectFrom("billing_details")
    .select(["legal_name", "address", "country", "vat_id"])
    .where("business_id", "=", businessId)
    .executeTakeFirst();
  return row
    ? { legalName: row.legal_name, address: row.address, country: row.country, vatId: row.vat_id }
    : null;
}

export async function saveBillingDetails(
  db: Database,
  {
    businessId,
    input,
    actor,
    ip,
    now,
  }: {
    businessId: string;
    input: BillingDetailsInput;
    actor: AuditActor;
    ip: string | null;
    now: Date;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await getBillingDetails(trx, { businessId });
    const values = {
      legal_name: input.legalName,
      address: input.address,
      country: input.country,
      vat_id: input.vatId,
      updated_at: now,
    };
    await trx
      .insertInto("billing_details")
      .values({ business_id: businessId, ...values })
      .onConflict((oc) => oc.column("business_id").doUpdateSet(values))
      .execute();
    await recordAudit(trx, {
      actor,
      action: "business.billing_details_changed",
      businessId,
      subject: { type: "business", id: businessId },
      before: before ? { ...before } : null,
      after: { ...input },
      ip,
    });
  });
}
