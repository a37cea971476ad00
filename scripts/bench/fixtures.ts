// Rows the benches and the soak set up in bulk with SQL (thousands of businesses in a second),
// shared so that each is written once.
import type pg from "pg";
import { first as firstRow } from "../../tests/helpers/rows.ts";

export type Query = <T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  values?: unknown[],
) => Promise<T[]>;

/**
 * `n` businesses on `plan`, each with an owner (no password: they never sign in). The custom
 * plan gets 1,000,000 card operations a month and one staff seat. Ids in creation order.
 */
export async function businessesWithOwners(
  q: Query,
  label: string,
  n: number,
  plan: "free" | "custom",
): Promise<string[]> {
  if (n === 0) return [];
  const custom = plan === "custom";
  await q("drop table if exists bench_src");
  await q(
    `create temp table bench_src as
     select gen_random_uuid() as bid, gen_random_uuid() as uid, g from generate_series(1, $1::int) g`,
    [n],
  );
  await q(
    `insert into businesses (id, name, plan_id, custom_card_operations_per_month, custom_staff_seats)
     select bid, $1 || ' ' || g, $2, $3, $4 from bench_src`,
    [label, plan, custom ? 1_000_000 : null, custom ? 1 : null],
  );
  await q(
    `insert into users (id, email, name)
     select uid, replace(lower($1), ' ', '-') || '-' || g || '@bench.7stamp.test', $1 || ' owner ' || g
     from bench_src`,
    [label],
  );
  await q(
    "insert into business_members (business_id, user_id, role) select bid, uid, 'owner' from bench_src",
  );
  const rows = await q<{ id: string }>("select bid as id from bench_src order by g");
  await q("drop table bench_src");
  return rows.map((r) => r.id);
}

/**
 * `count` fresh codes of a new ready batch of `bundleId` (valid for a year), inserted in
 * chunks of 10,000: their serials and texts, in order.
 */
export async function readyCodes(
  q: Query,
  {
    partnerId,
    bundleId,
    count,
    label,
    generate,
  }: {
    partnerId: string;
    bundleId: string;
    count: number;
    label: string;
    generate: () => string;
  },
): Promise<{ id: number; code: string }[]> {
  const batch = firstRow(
    await q<{ id: string }>(
      `insert into code_batches (partner_id, bundle_id, code_count, generated_count, expires_at, label,
       status, completed_at, created_by_label)
     values ($1, $2, $3, $3, now() + interval '365 days', $4, 'ready', now(), 'bench')
     returning id`,
      [partnerId, bundleId, count, label],
    ),
    "batch",
  );
  const codes = new Set<string>();
  while (codes.size < count) codes.add(generate());
  const all = [...codes];
  const inserted: { id: number; code: string }[] = [];
  for (let done = 0; done < all.length; done += 10_000) {
    const chunk = all.slice(done, done + 10_000);
    const rows = await q<{ id: string; code: string }>(
      `insert into activation_codes (code, partner_id, bundle_id, batch_id, expires_at)
       select c.code, $2, $3, $4, now() + interval '365 days'
       from unnest($1::text[]) with ordinality as c(code, ord) order by ord
       returning id, code`,
      [chunk, partnerId, bundleId, batch.id],
    );
    inserted.push(...rows.map((r) => ({ id: Number(r.id), code: r.code })));
  }
  return inserted;
}
