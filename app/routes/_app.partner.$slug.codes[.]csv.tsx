// /partner/:slug/codes.csv — the codes matching the list's filter, streamed as CSV.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import { codesCsv } from "~/domain/codes/csv.server";
import { DomainError } from "~/domain/errors.server";
import { csvDownload, fileDate, plainTextResponse } from "~/lib/downloads.server";
import { readCodeFilter } from "~/lib/code-filter";
import { clock } from "~/lib/clock.server";

function badRequest(message: string): Response {
  return plainTextResponse(400, message);
}

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const read = readCodeFilter(new URL(args.request.url).searchParams);
  if (!read.ok) {
    return badRequest(`Invalid filter: ${Object.keys(read.errors).join(", ")}.`);
  }
  let body: ReadableStream<Uint8Array>;
  try {
    body = codesCsv(db, { partnerId: partner.id, filter: read.filter, bom: true, now: clock() });
  } catch (error) {
    if (error instanceof DomainError && error.status === 400) {
      return badRequest(`${error.field ?? "filter"}: ${error.message}`);
    }
    throw error;
  }
  return csvDownload(body, `codes-${partner.slug}-${fileDate()}.csv`);
}
