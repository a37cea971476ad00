import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { listClients } from "~/domain/clients/reads.server";
import { requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import {
  clientFilters,
  clientSorts,
  defaultDirection,
  readClientQuery,
  type ClientQueryValues,
  type ClientRow,
  type ClientSort,
  type SortDirection,
} from "~/domain/clients/model.server";
import type { FieldErrors } from "~/lib/forms";
import { ClientsPage } from "~/components/clients/ClientsPage";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Clients · 7stamp Partner Portal" }];

const PAGE_SIZE = 50;

interface ListData {
  rows: ClientRow[];
  nextCursor: string | null;
  isFirstPage: boolean;
  /** False only when no business claimed any of the partner's codes (the first empty state). */
  hasClients: boolean;
  values: ClientQueryValues;
  errors: FieldErrors;
  sort: ClientSort;
  direction: SortDirection;
  /** The choices, for the form (the lists live on the server). */
  sorts: readonly ClientSort[];
  filters: readonly string[];
  defaultDirections: Record<ClientSort, SortDirection>;
}

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const read = readClientQuery(new URL(args.request.url).searchParams);
  const choices = {
    sorts: clientSorts,
    filters: clientFilters,
    defaultDirections: Object.fromEntries(
      clientSorts.map((sort) => [sort, defaultDirection(sort)]),
    ) as Record<ClientSort, SortDirection>,
  };
  const listPage = (options: Parameters<typeof listClients>[1]) =>
    listClients(db, { ...options, limit: PAGE_SIZE });
  const hasAnyClient = async () =>
    (await listClients(db, { partnerId: partner.id, limit: 1, now: clock() })).rows.length > 0;

  if (!read.ok) {
    const sort: ClientSort = "name";
    return data<ListData>(
      {
        rows: [],
        nextCursor: null,
        isFirstPage: true,
        hasClients: true,
        values: read.values,
        errors: read.errors,
        sort,
        direction: defaultDirection(sort),
        ...choices,
      },
      { status: 400 },
    );
  }
  const sort = read.options.sort ?? "name";
  const direction = read.options.direction ?? defaultDirection(sort);
  const filtered = Boolean(read.options.filter || read.options.search);
  const page = await readPage(read.cursor, (cursor) =>
    listPage({ partnerId: partner.id, ...read.options, cursor, now: clock() }),
  );
  return data<ListData>({
    rows: page.rows,
    nextCursor: page.nextCursor,
    isFirstPage: !read.cursor || page.staleCursor,
    hasClients: page.rows.length > 0 || (filtered && (await hasAnyClient())),
    values: read.values,
    // An out-of-date or forged page link: the first page, and a word about it.
    errors: page.staleCursor ? { cursor: { key: "common:paging.staleCursor" } } : {},
    sort,
    direction,
    ...choices,
  });
}

export default function PartnerClients() {
  return <ClientsPage />;
}
