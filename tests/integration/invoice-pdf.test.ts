// An invoice's PDF (issue 14, ADR 037): what it says (number, lines, total; pdftotext where
// poppler-utils is installed), the same bytes on every download — also after the business
// renames itself and the plan's price changes, and when rendered again from the snapshot —
// and who may download it: the owner and support; staff and other businesses get 404.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { beforeAll, describe, expect, test } from "vitest";
import { saveBillingDetails, BillingDetailsSchema } from "~/domain/invoices/billing-details.server";
import { getInvoicePdf, invoiceDocumentInput } from "~/domain/invoices/pdf.server";
import { getInvoice } from "~/domain/invoices/reads.server";
import { changeSubscription } from "~/domain/subscriptions/subscriptions.server";
import { formatMoney } from "~/lib/format";
import { renderInvoicePdf } from "~/pdf/render.server";
import { loader as ownerLoader } from "~/routes/_app.business.$businessId.invoices.$invoiceId[.]pdf";
import { loader as supportLoader } from "~/routes/_app.support.invoices_.$invoiceId[.]pdf";
import { testDb } from "../db.ts";
import { addBusinessMember, createBusinessWithOwner, createUser } from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { getRequest, makeContext } from "../helpers/remix.ts";
import { pdfInfo } from "../helpers/pdf-text.ts";

const actor = { userId: null, label: "invoice pdf test" };
const MISSING_UUID = "00000000-0000-4000-8000-000000000000";

function hasPdftotext(): boolean {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function extract(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "inv-"));
  writeFileSync(join(dir, "i.pdf"), pdf);
  execFileSync("pdftotext", ["-enc", "UTF-8", join(dir, "i.pdf"), join(dir, "i.txt")]);
  return readFileSync(join(dir, "i.txt"), "utf8").replace(/\u00a0/g, " ");
}

let businessId: string;
let invoiceId: string;
let invoiceNumber: string;
let totalCents: number;
let owner: string;
let staff: string;
let stranger: string;
let support: string;

beforeAll(async () => {
  const { db } = testDb();
  const created = await createBusinessWithOwner({ name: "Harbour Deli" });
  businessId = created.business.id;
  await saveBillingDetails(db, {
    businessId,
    input: BillingDetailsSchema.parse({
      legalName: "Harbour Deli GmbH",
      address: "Hafenstraße 1\n20457 Hamburg",
      country: "DE",
    }),
    actor,
    ip: null,
    now: new Date("2026-10-01T00:00:00.000Z"),
  });
  const { invoice } = await changeSubscription(db, {
    businessId,
    planId: "monthly",
    locations: 2,
    actor,
    ip: null,
    now: new Date("2026-11-01T00:00:00.000Z"),
  });
  if (!invoice) throw new Error("no invoice was issued");
  ({ id: invoiceId, number: invoiceNumber, totalCents } = invoice);
  owner = (await signInAs(created.owner)).cookie;
  const staffUser = await createUser();
  await addBusinessMember(businessId, staffUser.id, "staff");
  staff = (await signInAs(staffUser)).cookie;
  const other = await createBusinessWithOwner({ name: "Other Café" });
  stranger = (await signInAs(other.owner)).cookie;
  const supportUser = await createUser({ isSupport: true });
  support = (await signInAs(supportUser)).cookie;
}, 60_000);

async function call(
  loader: (args: LoaderFunctionArgs) => Promise<Response>,
  path: string,
  params: Record<string, string>,
  cookie: string,
): Promise<Response> {
  const args = {
    request: getRequest(path, { cookie }),
    params,
    context: makeContext(),
  } as unknown as LoaderFunctionArgs;
  try {
    return await loader(args);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const ownerPdf = (cookie: string, business = businessId, invoice = invoiceId) =>
  call(
    ownerLoader,
    `/business/${business}/invoices/${invoice}.pdf`,
    {
      businessId: business,
      invoiceId: invoice,
    },
    cookie,
  );

const supportPdf = (cookie: string, invoice = invoiceId) =>
  call(supportLoader, `/support/invoices/${invoice}.pdf`, { invoiceId: invoice }, cookie);

const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe("the invoice PDF", () => {
  test("is the same bytes on every download, after a rename and a price change, and when rendered again", async () => {
    const { db } = testDb();
    const first = await ownerPdf(owner);
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Type")).toBe("application/pdf");
    expect(first.headers.get("Content-Disposition")).toContain(`${invoiceNumber}.pdf`);
    const bytes = await bytesOf(first);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdfInfo(bytes).Title).toBe(`Invoice ${invoiceNumber}`);

    const second = await bytesOf(await ownerPdf(owner));
    expect(second.equals(bytes)).toBe(true);

    await db
      .updateTable("businesses")
      .set({ name: "Renamed Deli" })
      .where("id", "=", businessId)
      .execute();
    await db
      .updateTable("plans")
      .set({ price_cents: 3900, name: "Monthly Plus" })
      .where("id", "=", "monthly")
      .execute();
    await db
      .updateTable("billing_details")
      .set({ legal_name: "Someone Else AG" })
      .where("business_id", "=", businessId)
      .execute();
    const afterChanges = await bytesOf(await ownerPdf(owner));
    expect(afterChanges.equals(bytes)).toBe(true);
    const fromSupport = await bytesOf(await supportPdf(support));
    expect(fromSupport.equals(bytes)).toBe(true);

    // Rendered again from the stored snapshot (not the stored PDF): the same bytes.
    const invoice = await getInvoice(db, { businessId, invoiceId });
    const again = await renderInvoicePdf(
      invoiceDocumentInput(invoice!, { language: "en", formattingLocale: "en" }),
    );
    expect(again.equals(bytes)).toBe(true);

    const stored = await getInvoicePdf(db, { businessId, invoiceId, now: new Date() });
    expect(stored?.cached).toBe(true);
  }, 60_000);

  test.skipIf(!hasPdftotext())(
    "pdftotext finds the number, the billed-to snapshot and the total",
    async () => {
      const text = extract(await bytesOf(await ownerPdf(owner)));
      expect(text).toContain(invoiceNumber);
      expect(text).toContain("Harbour Deli GmbH");
      expect(text).toContain("Hafenstraße 1");
      expect(text).toContain(formatMoney(totalCents, "en").replace(/\u00a0/g, " "));
      expect(text).toContain("Invoice");
      expect(text).not.toMatch(/\bOpen\b/);
    },
    60_000,
  );
});

describe("who may download it", () => {
  test("the owner and support; staff, another business's owner, wrong and unknown ids get 404", async () => {
    expect((await ownerPdf(owner)).status).toBe(200);
    expect((await supportPdf(support)).status).toBe(200);
    expect((await ownerPdf(staff)).status).toBe(404);
    expect((await ownerPdf(stranger)).status).toBe(404);
    expect((await supportPdf(owner)).status).toBe(404);
    expect((await ownerPdf(owner, businessId, MISSING_UUID)).status).toBe(404);
    expect((await ownerPdf(owner, businessId, "not-a-uuid")).status).toBe(404);
    expect((await supportPdf(support, MISSING_UUID)).status).toBe(404);
    // The stranger's own business, with this business's invoice id: not found either.
    const { db } = testDb();
    const strangerBusiness = await db
      .selectFrom("businesses")
      .select("id")
      .where("name", "=", "Other Café")
      .executeTakeFirstOrThrow();
    expect((await ownerPdf(stranger, strangerBusiness.id)).status).toBe(404);
  }, 60_000);
});
