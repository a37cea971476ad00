// The support desk's lists page through every row exactly once, by name.
import { describe, expect, it } from "vitest";
import { searchBusinesses } from "~/domain/business-admin.server";
import { InvalidCursor } from "~/domain/paging.server";
import { listPartners } from "~/domain/partners.server";
import { listAudit } from "~/domain/audit.server";
import { createBusiness, createPartner } from "../factories.ts";
import { testDb } from "../db.ts";

describe("support lists", () => {
  it("pages partners by name with keyset cursors, each once", async () => {
    for (let i = 0; i < 53; i++)
      await createPartner({ name: `Partner ${String(i).padStart(2, "0")}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listPartners(testDb().db, { cursor, limit: 25 });
      seen.push(...page.rows.map((r) => r.name));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(53);
    expect(new Set(seen).size).toBe(53);
    expect(seen).toEqual([...seen].sort());
  });

  it("refuses a tampered cursor as InvalidCursor (the page shows the first page instead)", async () => {
    await createPartner({ name: "Alpha" });
    await expect(
      listPartners(testDb().db, { cursor: "not-a-cursor!!", limit: 25 }),
    ).rejects.toBeInstanceOf(InvalidCursor);
  });

  it("pages businesses and shows their plan", async () => {
    for (let i = 0; i < 30; i++)
      await createBusiness({ name: `Shop ${String(i).padStart(2, "0")}` });
    const first = await searchBusinesses(testDb().db, { limit: 25 });
    expect(first.rows).toHaveLength(25);
    expect(first.rows[0]?.planName).toBe("Card scanner (free)");
    const second = await searchBusinesses(testDb().db, { cursor: first.nextCursor, limit: 25 });
    expect(second.rows).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
  });

  it("pages the audit log newest first and scopes it to one partner", async () => {
    const a = await createPartner();
    const b = await createPartner();
    for (let i = 0; i < 7; i++) {
      await testDb()
        .db.insertInto("audit_log")
        .values({ action: `test.a${i}`, partner_id: a.id })
        .execute();
      await testDb()
        .db.insertInto("audit_log")
        .values({ action: `test.b${i}`, partner_id: b.id })
        .execute();
    }
    const first = await listAudit(testDb().db, { partnerId: a.id }, { limit: 5 });
    expect(first.rows.map((r) => r.action)).toEqual([
      "test.a6",
      "test.a5",
      "test.a4",
      "test.a3",
      "test.a2",
    ]);
    const second = await listAudit(
      testDb().db,
      { partnerId: a.id },
      { cursor: first.nextCursor, limit: 5 },
    );
    expect(second.rows.map((r) => r.action)).toEqual(["test.a1", "test.a0"]);
    expect(second.nextCursor).toBeNull();
  });
});
