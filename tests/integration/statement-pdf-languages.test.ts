// The statement PDF in Thai and Ukrainian (ADR 035): the partner's locale picks the catalogue,
// the formats (Thai years in the Buddhist era) and the Noto Sans fonts, embedded as subsets;
// the text extracts with the right characters (pdftotext, where poppler-utils is installed);
// the bytes are the same on every render, as for English statements.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { getStatementPdf, statementPdfInput } from "~/domain/statement-pdf.server";
import { finalizeStatements } from "~/domain/statements/finalise.server";
import { getStatement, listStatementLines } from "~/domain/statements/reads.server";
import { type Statement } from "~/domain/statements/model.server";
import { claimCode } from "~/domain/redemption.server";
import { renderCodeCardsPdf, renderStatementPdf } from "~/pdf/render.server";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusiness,
  createPartnerWithOwner,
} from "../factories.ts";
import { at } from "../helpers/rows.ts";

const ACTOR = { userId: null, label: "test" };

function hasPdftotext(): boolean {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function extract(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "stmt-"));
  writeFileSync(join(dir, "s.pdf"), pdf);
  execFileSync("pdftotext", ["-enc", "UTF-8", join(dir, "s.pdf"), join(dir, "s.txt")]);
  return readFileSync(join(dir, "s.txt"), "utf8");
}

async function statementIn(locale: string, prefix: string, partnerName: string, names: string[]) {
  const { db } = testDb();
  const { partner } = await createPartnerWithOwner({ name: partnerName, statementPrefix: prefix });
  await db
    .updateTable("partners")
    .set({ locale, created_at: new Date("2025-02-10T09:00:00Z") })
    .where("id", "=", partner.id)
    .execute();
  const bundle = await createBundle(partner.id, {
    name: names[0],
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
  });
  const { batch, codes } = await createBatchWithCodes(bundle, { count: 3 });
  for (const [i, name] of names.slice(1).entries()) {
    const business = await createBusiness({ name });
    await claimCode(db, {
      businessId: business.id,
      code: at(codes, i, "code").code,
      actor: { ...ACTOR, email: null },
      ip: null,
      limitByIp: false,
      now: new Date(),
    });
  }
  await sql`
    update activation_codes set created_at = '2025-03-01T00:00:00Z'::timestamptz,
      claimed_at = case when claimed_at is null then null
        else '2025-03-02T00:00:00Z'::timestamptz + (id - ${at(codes, 0, "code").id}) * interval '7 minutes' end
    where batch_id = ${batch.id}`.execute(db);
  const finalised = await finalizeStatements(db, {
    partnerId: partner.id,
    month: "2025-03",
    actor: ACTOR,
    now: new Date(),
  });
  const statementId = finalised.find((f) => f.month === "2025-03")!.statementId;
  return {
    partnerId: partner.id,
    statement: await getStatement(db, { partnerId: partner.id, statementId }),
  };
}

let thai: { partnerId: string; statement: Statement };
let ukrainian: { partnerId: string; statement: Statement };

beforeAll(async () => {
  thai = await statementIn("th-TH", "BKK", "บางกอก ลอยัลตี้", ["ชุดเริ่มต้นร้านกาแฟ", "ร้านกาแฟมุมถนน"]);
  ukrainian = await statementIn("uk-UA", "KYIV", "Київ Лояльність", [
    "Стартовий пакет",
    "Кав’ярня на розі",
  ]);
}, 120_000);

describe("a Thai partner's statement", () => {
  test("embeds Noto Sans (Thai and Latin) as subsets, not Helvetica", async () => {
    const { pdf } = await getStatementPdf(testDb().db, {
      partnerId: thai.partnerId,
      statementId: thai.statement.id!,
    });
    const raw = pdf.toString("latin1");
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansThai-Regular/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans-Regular/);
    expect(raw).not.toContain("/BaseFont /Helvetica");
  });

  test.runIf(hasPdftotext())(
    "reads in Thai: the month's name and the Buddhist year, names as written",
    async () => {
      const { pdf } = await getStatementPdf(testDb().db, {
        partnerId: thai.partnerId,
        statementId: thai.statement.id!,
      });
      const text = extract(pdf);
      expect(text).toContain("ใบแจ้งยอดขายส่ง");
      // March 2025 is มีนาคม 2568 in the Buddhist era.
      expect(text).toContain("มีนาคม 2568");
      expect(text).toContain("ร้านกาแฟมุมถนน");
      expect(text).toContain(thai.statement.number!);
      expect(text).not.toContain("?");
    },
  );

  test("is the same bytes on every render", async () => {
    const { db } = testDb();
    const { statement, partnerId } = thai;
    const { lines } = await listStatementLines(db, { partnerId, statement, limit: null });
    const input = statementPdfInput(statement, lines);
    const [one, two] = await Promise.all([renderStatementPdf(input), renderStatementPdf(input)]);
    expect(one.pdf.equals(two.pdf)).toBe(true);
  });
});

describe("a Ukrainian partner's statement", () => {
  test.runIf(hasPdftotext())("reads in Ukrainian, Cyrillic names intact", async () => {
    const { pdf } = await getStatementPdf(testDb().db, {
      partnerId: ukrainian.partnerId,
      statementId: ukrainian.statement.id!,
    });
    const text = extract(pdf);
    expect(text).toContain("Оптова виписка");
    expect(text).toContain("березня 2025");
    expect(text).toContain("Кав’ярня на розі");
    expect(text).toContain("Київ Лояльність");
    expect(text).not.toContain("?");
  });
});

describe("code cards in Thai", () => {
  test.runIf(hasPdftotext())("print Thai labels in Noto Sans, the code in Courier", async () => {
    const code = "CAFE-0000-0000-0000-0001";
    const pdf = await renderCodeCardsPdf({
      title: "รหัสเปิดใช้งาน · ชุดเริ่มต้นร้านกาแฟ",
      author: "บางกอก ลอยัลตี้",
      partnerName: "บางกอก ลอยัลตี้",
      unicodeFonts: true,
      bundleName: "ชุดเริ่มต้นร้านกาแฟ",
      bundleContent: ["ที่นั่งพนักงาน 2 ที่", "การดำเนินงานบัตร 1,000 ครั้ง", "12 เดือน"],
      redeemHint: "สแกนคิวอาร์โค้ดหรือเปิดลิงก์เพื่อแลกรหัส:",
      cards: [
        {
          code,
          serialLabel: "รหัส #1",
          redeemUrl: `http://localhost:3000/redeem/${code}`,
          redeemBy: "แลกได้ถึง 26 พ.ย. 2570",
        },
      ],
    });
    const text = extract(pdf);
    expect(text).toContain("บางกอก ลอยัลตี้");
    // The bundle's name wraps between two words (pdftotext lists a tone mark of a wrapped
    // line after its consonant, so only the part up to it is compared).
    expect(text.replace(/\s+/g, "")).toContain("ชุดเริ");
    expect(text).toContain("2570");
    expect(text).toContain(code);
    expect(text).not.toContain("?");
  });
});
