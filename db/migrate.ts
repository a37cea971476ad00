// Runs the migrations in db/migrations, listed statically so the same list works under
// tsx, vitest and a bundle. Migrations never import app code.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import * as foundation from "./migrations/2026-11-26T12-00-00_foundation.ts";
import * as codes from "./migrations/2026-11-26T14-00-00_codes.ts";
import * as entitlements from "./migrations/2026-11-26T16-00-00_entitlements.ts";
import * as statements from "./migrations/2026-11-26T18-00-00_statements.ts";
import * as walkthrough from "./migrations/2026-12-04T18-00-00_walkthrough.ts";
import * as supportDesk from "./migrations/2026-12-04T18-30-00_support-desk.ts";
import * as pricing from "./migrations/2026-12-05T05-10-00_pricing-plans-requests.ts";
import * as auditKeyset from "./migrations/2026-12-05T05-20-00_audit-keyset.ts";
import * as millisecondInstants from "./migrations/2026-12-05T09-20-00_millisecond-instants.ts";
import * as webhooks from "./migrations/2026-12-06T02-00-00_webhooks.ts";
import * as webhooksOrdering from "./migrations/2026-12-06T11-00-00_webhooks_ordering.ts";
import * as referrals from "./migrations/2026-12-06T12-00-00_referrals.ts";
import * as subscriptions from "./migrations/2026-12-06T10-00-00_subscriptions.ts";
import * as invoices from "./migrations/2026-12-06T10-10-00_invoices.ts";
import * as invoiceCorrections from "./migrations/2026-12-07T01-00-00_invoice_corrections.ts";
import * as payments from "./migrations/2026-12-07T02-00-00_payments.ts";
import * as referralStatementLines from "./migrations/2026-12-07T03-00-00_referral_statement_lines.ts";
import * as batchAndBusinessLocale from "./migrations/2026-12-07T04-00-00_batch_and_business_locale.ts";

const migrations: Record<string, Migration> = {
  "2026-11-26T12-00-00_foundation": foundation,
  "2026-11-26T14-00-00_codes": codes,
  "2026-11-26T16-00-00_entitlements": entitlements,
  "2026-11-26T18-00-00_statements": statements,
  "2026-12-04T18-00-00_walkthrough": walkthrough,
  "2026-12-04T18-30-00_support-desk": supportDesk,
  "2026-12-05T05-10-00_pricing-plans-requests": pricing,
  "2026-12-05T05-20-00_audit-keyset": auditKeyset,
  "2026-12-05T09-20-00_millisecond-instants": millisecondInstants,
  "2026-12-06T02-00-00_webhooks": webhooks,
  "2026-12-06T11-00-00_webhooks_ordering": webhooksOrdering,
  "2026-12-06T12-00-00_referrals": referrals,
  "2026-12-06T10-00-00_subscriptions": subscriptions,
  "2026-12-06T10-10-00_invoices": invoices,
  "2026-12-07T01-00-00_invoice_corrections": invoiceCorrections,
  "2026-12-07T02-00-00_payments": payments,
  "2026-12-07T03-00-00_referral_statement_lines": referralStatementLines,
  "2026-12-07T04-00-00_batch_and_business_locale": batchAndBusinessLocale,
};

class StaticMigrationProvider implements MigrationProvider {
  getMigrations() {
    return Promise.resolve(migrations);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw asError(error);
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Kysely hands back what the migration threw, which need not be an Error. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
