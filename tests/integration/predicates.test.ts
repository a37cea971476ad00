// Each business predicate's SQL clause and its TypeScript twin (app/domain/predicates.server.ts)
// give the same answer at their boundaries: a stored instant exactly at `now`, a microsecond
// and a millisecond either side. The probe tables take each column's real declared type, so
// the test also holds the stored precision (milliseconds, ADR 025) that makes the twins agree.
import { sql, type RawBuilder } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  batchLeaseFree,
  codeDisplayStatus,
  codeDisplayStatusSql,
  codeExpired,
  codeExpiryPassed,
  codeOutstanding,
  codeStanding,
  codeStandingSql,
  grantActive,
  grantEnded,
  invitationPending,
  isBatchLeaseFree,
  isCodeExpired,
  isCodeExpiryPassed,
  isCodeOutstanding,
  isGrantActive,
  isGrantEnded,
  isInvitationPending,
} from "~/domain/predicates.server";
import { testDb } from "../db.ts";
import { first } from "../helpers/rows.ts";

const now = new Date("2026-12-05T10:00:00.000Z");
/** Offsets from `now`, in microseconds: a millisecond and a microsecond either side, and exact. */
const offsets = [-1000, -1, 0, 1, 1000];

/** `now` moved by whole microseconds, as a timestamptz literal (a Date cannot hold µs). */
function instant(offsetMicros: number): string {
  const micros = BigInt(now.getTime()) * 1000n + BigInt(offsetMicros);
  const ms = Number(micros / 1000n - (micros % 1000n < 0n ? 1n : 0n));
  const rest = Number(((micros % 1000n) + 1000n) % 1000n);
  const base = new Date(ms).toISOString().replace("Z", "");
  return `${base}${String(rest).padStart(3, "0")}+00`;
}

async function declaredType(table: string, column: string): Promise<string> {
  const { rows } = await sql<{ type: string }>`
    select format_type(atttypid, atttypmod) as type from pg_attribute
    where attrelid = ${table}::regclass and attname = ${column}`.execute(testDb().db);
  return first(rows, "pg_attribute row").type;
}

/** Rows of a probe table with the SQL clause's answer beside each row's own columns. */
async function answers<Row>(
  table: string,
  clause: RawBuilder<unknown>,
): Promise<(Row & { answer: unknown })[]> {
  const { rows } = await sql<Row & { answer: unknown }>`
    select *, ${clause} as answer from ${sql.table(table)}`.execute(testDb().db);
  return rows;
}

beforeAll(async () => {
  const db = testDb().db;
  const codeExpiry = await declaredType("activation_codes", "expires_at");
  const grantStart = await declaredType("grants", "starts_at");
  const grantEnd = await declaredType("grants", "ends_at");
  const invitationExpiry = await declaredType("invitations", "expires_at");
  const lease = await declaredType("code_batches", "lease_expires_at");
  await sql`create table probe_codes (status text not null, expires_at ${sql.raw(codeExpiry)} not null)`.execute(
    db,
  );
  await sql`create table probe_grants (starts_at ${sql.raw(grantStart)} not null, ends_at ${sql.raw(grantEnd)} not null)`.execute(
    db,
  );
  await sql`create table probe_invitations (accepted_at timestamptz, revoked_at timestamptz,
    expires_at ${sql.raw(invitationExpiry)} not null)`.execute(db);
  await sql`create table probe_batches (lease_expires_at ${sql.raw(lease)})`.execute(db);
  for (const offset of offsets) {
    for (const status of ["issued", "claimed", "revoked"]) {
      await sql`insert into probe_codes values (${status}, ${instant(offset)}::timestamptz)`.execute(
        db,
      );
    }
    for (const other of offsets) {
      await sql`insert into probe_grants values (${instant(offset)}::timestamptz, ${instant(other)}::timestamptz)`.execute(
        db,
      );
    }
    await sql`insert into probe_invitations values
      (null, null, ${instant(offset)}::timestamptz),
      (${instant(-5_000_000)}::timestamptz, null, ${instant(offset)}::timestamptz),
      (null, ${instant(-5_000_000)}::timestamptz, ${instant(offset)}::timestamptz)`.execute(db);
    await sql`insert into probe_batches values (${instant(offset)}::timestamptz)`.execute(db);
  }
  await sql`insert into probe_batches values (null)`.execute(db);
});

afterAll(async () => {
  for (const table of ["probe_codes", "probe_grants", "probe_invitations", "probe_batches"]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(testDb().db);
  }
});

describe("the instants predicates compare are stored to the millisecond", () => {
  test.each([
    ["activation_codes", "expires_at"],
    ["grants", "starts_at"],
    ["grants", "ends_at"],
    ["invitations", "expires_at"],
    ["code_batches", "lease_expires_at"],
  ])("%s.%s", async (table, column) => {
    expect(await declaredType(table, column)).toBe("timestamp(3) with time zone");
  });
});

interface CodeProbe {
  status: "issued" | "claimed" | "revoked";
  expires_at: Date;
}
const code = (row: CodeProbe) => ({ status: row.status, expiresAt: row.expires_at });

describe("codes", () => {
  test("expiry passed, expired and outstanding agree with their twins", async () => {
    const pairs: [RawBuilder<unknown>, (row: CodeProbe) => boolean][] = [
      [codeExpiryPassed("probe_codes", now), (row) => isCodeExpiryPassed(code(row), now)],
      [codeExpired("probe_codes", now), (row) => isCodeExpired(code(row), now)],
      [codeOutstanding("probe_codes", now), (row) => isCodeOutstanding(code(row), now)],
    ];
    for (const [clause, twin] of pairs) {
      const rows = await answers<CodeProbe>("probe_codes", clause);
      expect(rows).toHaveLength(offsets.length * 3);
      for (const row of rows) expect(twin(row)).toBe(row.answer);
    }
  });

  test("display status and standing agree with their twins", async () => {
    for (const row of await answers<CodeProbe>(
      "probe_codes",
      codeDisplayStatusSql("probe_codes", now),
    )) {
      expect(codeDisplayStatus(code(row), now)).toBe(row.answer);
    }
    for (const row of await answers<CodeProbe>(
      "probe_codes",
      codeStandingSql("probe_codes", now),
    )) {
      expect(codeStanding(code(row), now)).toBe(row.answer);
    }
  });

  test("the boundary: expired exactly at its expiry, a millisecond later than before", async () => {
    const rows = await answers<CodeProbe>("probe_codes", codeExpired("probe_codes", now));
    const issued = rows
      .filter((row) => row.status === "issued")
      .sort((a, b) => a.expires_at.getTime() - b.expires_at.getTime());
    // −1 ms, −1 µs, exact, +1 µs, +1 ms: the microseconds round to the millisecond when stored.
    expect(issued.map((row) => row.answer)).toEqual([true, true, true, true, false]);
  });
});

describe("grants", () => {
  interface GrantProbe {
    starts_at: Date;
    ends_at: Date;
  }
  const grant = (row: GrantProbe) => ({ startsAt: row.starts_at, endsAt: row.ends_at });

  test("active and ended agree with their twins", async () => {
    const active = await answers<GrantProbe>("probe_grants", grantActive("probe_grants", now));
    expect(active).toHaveLength(offsets.length ** 2);
    for (const row of active) expect(isGrantActive(grant(row), now)).toBe(row.answer);
    expect(active.some((row) => row.answer === true)).toBe(true);
    expect(active.some((row) => row.answer === false)).toBe(true);
    const ended = await answers<GrantProbe>("probe_grants", grantEnded("probe_grants", now));
    for (const row of ended) expect(isGrantEnded(grant(row), now)).toBe(row.answer);
  });

  test("the boundary: in force from its start (inclusive) to its end (exclusive)", async () => {
    const active = await answers<GrantProbe>("probe_grants", grantActive("probe_grants", now));
    const at = (starts: number, ends: number) =>
      active.find(
        (row) =>
          row.starts_at.getTime() === now.getTime() + starts &&
          row.ends_at.getTime() === now.getTime() + ends,
      )?.answer;
    expect(at(0, 1)).toBe(true);
    expect(at(-1, 0)).toBe(false);
    expect(at(1, 1)).toBe(false);
  });
});

describe("invitations", () => {
  interface InvitationProbe {
    accepted_at: Date | null;
    revoked_at: Date | null;
    expires_at: Date;
  }
  test("pending agrees with its twin", async () => {
    const rows = await answers<InvitationProbe>(
      "probe_invitations",
      invitationPending("probe_invitations", now),
    );
    expect(rows).toHaveLength(offsets.length * 3);
    for (const row of rows) {
      const twin = isInvitationPending(
        { acceptedAt: row.accepted_at, revokedAt: row.revoked_at, expiresAt: row.expires_at },
        now,
      );
      expect(twin).toBe(row.answer);
    }
    expect(rows.filter((row) => row.answer === true)).toHaveLength(1);
  });
});

describe("batch leases", () => {
  test("free agrees with its twin", async () => {
    const rows = await answers<{ lease_expires_at: Date | null }>(
      "probe_batches",
      batchLeaseFree("probe_batches", now),
    );
    expect(rows).toHaveLength(offsets.length + 1);
    for (const row of rows) {
      expect(isBatchLeaseFree({ leaseExpiresAt: row.lease_expires_at }, now)).toBe(row.answer);
    }
    expect(rows.filter((row) => row.answer === true)).toHaveLength(2);
  });
});
