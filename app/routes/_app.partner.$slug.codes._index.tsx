import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { getBatch, listBatches } from "~/domain/batches/reads.server";
import { type Batch } from "~/domain/batches/model.server";
import { listBundles } from "~/domain/bundles.server";
import { CodeMistyped, InvalidCodeSearch, type CodeRow } from "~/domain/codes/model.server";
import { listCodes } from "~/domain/codes/reads.server";
import { isFiltered, readCodeFilter, type FilterValues } from "~/lib/code-filter";
import type { FieldErrors } from "~/lib/forms";
import { secretPageHeaders } from "~/lib/route-headers";
import { CodesPage } from "~/components/codes/CodesPage";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Codes · 7stamp Partner Portal" }];

export const headers = secretPageHeaders;

const PAGE_SIZE = 50;

/** Bundles and recent batches for the filter's selects (and the batch in the URL, if older). */
async function filterOptions(partnerId: string, batchId: string | undefined) {
  const [bundles, batches, chosenBatch] = await Promise.all([
    listBundles(db, { partnerId, status: "all", limit: 100, now: clock() }),
    listBatches(db, { partnerId, limit: 50 }),
    batchId ? getBatch(db, { partnerId, batchId }) : Promise.resolve(null),
  ]);
  const batchRows: Batch[] = batches.rows;
  if (chosenBatch && !batchRows.some((batch) => batch.id === chosenBatch.id)) {
    batchRows.unshift(chosenBatch);
  }
  return {
    bundles: bundles.rows.map((bundle) => ({ id: bundle.id, name: bundle.name })),
    batches: batchRows.map((batch) => ({
      id: batch.id,
      label: batch.label,
      prefix: batch.prefix,
      codeCount: batch.codeCount,
      createdAt: batch.createdAt,
    })),
  };
}

interface ListData {
  rows: CodeRow[];
  nextCursor: string | null;
  isFirstPage: boolean;
  /** The page link was out of date or forged: this is the first page instead. */
  staleCursor: boolean;
  /** False only when the partner has no codes at all (the first empty state). */
  hasCodes: boolean;
  values: FilterValues;
  errors: FieldErrors;
}

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const read = readCodeFilter(new URL(args.request.url).searchParams);
  const options = await filterOptions(partner.id, read.values.batch);
  const empty = {
    rows: [],
    nextCursor: null,
    isFirstPage: true,
    staleCursor: false,
    hasCodes: true,
    values: read.values,
  };
  if (!read.ok) {
    return data<ListData & typeof options>(
      { ...empty, errors: read.errors, ...options },
      { status: 400 },
    );
  }
  const hasAnyCode = async () =>
    (await listCodes(db, { partnerId: partner.id, limit: 1, now: clock() })).rows.length > 0;
  try {
    const page = await readPage(read.cursor, (cursor) =>
      listCodes(db, {
        partnerId: partner.id,
        filter: read.filter,
        cursor,
        limit: PAGE_SIZE,
        now: clock(),
      }),
    );
    // A search names one code: go straight to its page.
    const [only] = page.rows;
    if (read.filter.search && page.rows.length === 1 && only) {
      throw redirect(`/partner/${partner.slug}/codes/${only.serial}`);
    }
    const hasCodes = page.rows.length > 0 || (isFiltered(read.values) && (await hasAnyCode()));
    return data<ListData & typeof options>({
      ...page,
      isFirstPage: !read.cursor || page.staleCursor,
      hasCodes,
      values: read.values,
      errors: {},
      ...options,
    });
  } catch (error) {
    const searchError =
      error instanceof CodeMistyped
        ? "codes:list.mistyped"
        : error instanceof InvalidCodeSearch
          ? "codes:list.badSearch"
          : null;
    if (!searchError) throw error;
    // Only the search is refused: the list stays as the rest of the filter shows it.
    const page = await readPage(read.cursor, (cursor) =>
      listCodes(db, {
        partnerId: partner.id,
        filter: { ...read.filter, search: undefined },
        cursor,
        limit: PAGE_SIZE,
        now: clock(),
      }),
    );
    return data<ListData & typeof options>(
      {
        ...page,
        isFirstPage: !read.cursor || page.staleCursor,
        hasCodes: page.rows.length > 0 || (await hasAnyCode()),
        values: read.values,
        errors: { search: { key: searchError } },
        ...options,
      },
      { status: 400 },
    );
  }
}

export default function PartnerCodes() {
  return <CodesPage />;
}
