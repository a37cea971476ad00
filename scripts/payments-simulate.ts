// `npm run payments:simulate -- --invoice INV-2026-00001 --event paid|payment_failed [--url U]`:
// sends one correctly signed payment provider event to a running portal's
// POST /api/v1/payments/webhook, as the provider would, and prints the answer — so the flow
// (open → paid, or past due) can be shown without a provider. Signs with
// PAYMENT_WEBHOOK_SECRET (the development secret when unset, as the portal does).
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { DEVELOPMENT_PAYMENT_WEBHOOK_SECRET } from "../app/env.server.ts";
import {
  PAYMENT_SIGNATURE_HEADER,
  paymentSignatureHeader,
} from "../app/domain/invoices/payment-signature.server.ts";

const usage = `Usage: npm run payments:simulate -- --invoice INV-2026-00001 --event paid|payment_failed [--url http://127.0.0.1:3000] [--id evt_…]

Sends a signed invoice.paid or invoice.payment_failed event for the invoice to a running portal.
The same --id again is a replay: the portal answers replayed: true and changes nothing.`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(1);
}

let values: { invoice?: string; event?: string; url?: string; id?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      invoice: { type: "string" },
      event: { type: "string" },
      url: { type: "string" },
      id: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const invoice = values.invoice?.trim();
if (!invoice || !/^INV-\d{4}-\d{5}$/.test(invoice))
  fail("--invoice: an invoice number like INV-2026-00001 is required.");
const types = { paid: "invoice.paid", payment_failed: "invoice.payment_failed" } as const;
const event = values.event as keyof typeof types | undefined;
if (!event || !(event in types)) fail("--event: paid or payment_failed.");
const base =
  values.url ?? process.env.PUBLIC_URL ?? `http://127.0.0.1:${process.env.PORT ?? "3000"}`;
let endpoint: URL;
try {
  endpoint = new URL("/api/v1/payments/webhook", base);
} catch {
  fail(`--url: not a URL: ${base}`);
}

const secret = process.env.PAYMENT_WEBHOOK_SECRET || DEVELOPMENT_PAYMENT_WEBHOOK_SECRET;
const body = JSON.stringify({
  id: values.id ?? `evt_sim_${randomBytes(9).toString("hex")}`,
  type: types[event],
  data: { invoice },
});
const timestamp = Math.floor(Date.now() / 1000);
console.log(`POST ${endpoint.href}\n${body}`);
try {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      [PAYMENT_SIGNATURE_HEADER]: paymentSignatureHeader(secret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  console.log(`${response.status} ${response.statusText}\n${text}`);
  process.exitCode = response.ok ? 0 : 1;
} catch (error) {
  console.error(`Could not reach ${endpoint.href}: ${(error as Error).message}`);
  process.exitCode = 1;
}
