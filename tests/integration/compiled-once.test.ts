// A query compiled once (db/compiled-once.ts, ADR 043) runs with each call's arguments, inside
// the caller's transaction, and refuses at its first compilation a builder that used an
// argument as anything but a value — it never runs a query silently built from a placeholder.
import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import { compiledOnce } from "~db/compiled-once.ts";
import { testDb } from "../db.ts";

describe("compiledOnce", () => {
  test("each call's arguments go where the placeholders were, fixed values stay", async () => {
    const { db } = testDb();
    const echo = compiledOnce((db, { a, b }: { a: string; b: number }) =>
      db.selectNoFrom([
        sql<string>`${a}::text`.as("a"),
        sql<number>`${b}::int`.as("b"),
        sql<string>`${"fixed"}::text`.as("fixed"),
        sql<string>`${a}::text || '!'`.as("again"),
      ]),
    );
    expect(await echo(db, { a: "one", b: 1 })).toEqual([
      { a: "one", b: 1, fixed: "fixed", again: "one!" },
    ]);
    expect(await echo(db, { a: "two", b: 2 })).toEqual([
      { a: "two", b: 2, fixed: "fixed", again: "two!" },
    ]);
  });

  test("an array argument is one parameter (= any), whatever its length", async () => {
    const { db } = testDb();
    const among = compiledOnce((db, { values }: { values: number[] }) =>
      db
        .selectFrom(sql<{ n: number }>`(select generate_series(1, 5) as n)`.as("s"))
        .select("s.n")
        .where(sql<boolean>`s.n = any(${values}::int[])`)
        .orderBy("s.n"),
    );
    expect(await among(db, { values: [4, 2] })).toEqual([{ n: 2 }, { n: 4 }]);
    expect(await among(db, { values: [1, 3, 5] })).toEqual([{ n: 1 }, { n: 3 }, { n: 5 }]);
    expect(await among(db, { values: [] })).toEqual([]);
  });

  test("runs inside the caller's transaction and sees its writes", async () => {
    const { db } = testDb();
    const count = compiledOnce((db, { n }: { n: number }) =>
      db.selectNoFrom(
        sql<number>`(select count(*)::int from compiled_once_probe where n = ${n})`.as("count"),
      ),
    );
    await db.transaction().execute(async (trx) => {
      await sql`create temporary table compiled_once_probe (n int) on commit drop`.execute(trx);
      await sql`insert into compiled_once_probe values (7), (7), (8)`.execute(trx);
      expect(await count(trx, { n: 7 })).toEqual([{ count: 2 }]);
      expect(await count(trx, { n: 8 })).toEqual([{ count: 1 }]);
    });
  });

  test("an argument computed with while building is refused, naming it", async () => {
    const { db } = testDb();
    const computed = compiledOnce((db, { at }: { at: Date }) =>
      db.selectNoFrom(sql<Date>`${new Date(at.getTime() - 1000)}::timestamptz`.as("t")),
    );
    await expect(computed(db, { at: new Date() })).rejects.toThrow(
      /compiledOnce: building the query failed/,
    );
    const stringified = compiledOnce((db, { name }: { name: string }) =>
      db.selectNoFrom(sql<string>`${`hello ${name}`}::text`.as("t")),
    );
    await expect(stringified(db, { name: "x" })).rejects.toThrow(/compiledOnce: .*"name"/);
    const literal = compiledOnce((db, { name }: { name: string }) =>
      db.selectNoFrom(sql.lit(name).as("t")),
    );
    await expect(literal(db, { name: "x" })).rejects.toThrow(
      /compiledOnce: building the query failed/,
    );
  });

  test("an argument read but not placed (a branch on it) is refused", async () => {
    const { db } = testDb();
    const branching = compiledOnce((db, { flag }: { flag: boolean }) =>
      db.selectNoFrom(sql<number>`${flag ? 1 : 2}::int`.as("t")),
    );
    await expect(branching(db, { flag: false })).rejects.toThrow(
      /"flag".*not one of its parameters/,
    );
  });
});
