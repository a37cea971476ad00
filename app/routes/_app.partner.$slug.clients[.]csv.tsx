// /partner/:slug/clients.csv — the clients the list shows for its search, filter and sort,
// streamed as CSV.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import { clientsCsv } from "~/domain/clients/csv.server";
import { readClientQuery } from "~/domain/clients/model.server";
import { DomainError } from "~/domain/errors.server";
import { csvDownload, fileDate, plainTextResponse } from "~/lib/downloads.server";
import { clock } from "~/lib/clock.server";

function badRequest(message: string): Response {
  return plainTextResponse(400, message);
}

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const read = readClientQuery(new URL(args.request.url).searchParams);
  if (!read.ok) {
    return badRequest(`Invalid list options: ${Object.keys(read.errors).join(", ")}.`);
  }
  let body: ReadableStream<Uint8Array>;
  try {
    body = clientsCsv(db, { partnerId: partner.id, ...read.options, bom: true, now: clock() });
  } catch (error) {
    if (error instanceof DomainError && error.status === 400) {
      return badRequest(`${error.field ?? "options"}: ${error.message}`);
    }
    throw error;
  }
  return csvDownload(body, `clients-${partner.slug}-${fileDate()}.csv`);
}
