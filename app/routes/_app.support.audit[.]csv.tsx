// /support/audit.csv — the audit log entries matching the page's filter, streamed as CSV.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import { auditCsv } from "~/domain/audit.server";
import { readAuditFilter } from "~/lib/audit-filter";
import { csvDownload, fileDate, plainTextResponse } from "~/lib/downloads.server";

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const read = readAuditFilter(new URL(args.request.url).searchParams);
  if (!read.ok) {
    return plainTextResponse(400, `Invalid filter: ${Object.keys(read.errors).join(", ")}.`);
  }
  return csvDownload(auditCsv(db, { filter: read.filter, bom: true }), `audit-${fileDate()}.csv`);
}
