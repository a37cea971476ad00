// Printable code cards: the PDF route (who may print which batch, in how many pages) and
// the worker that renders it off the event loop, with its queue, time limit and errors.
import { inflateSync } from "node:zlib";
import { beforeAll, describe, expect, test } from "vitest";
import { formatCode } from "~/lib/activation-code";
import { CARDS_PER_FILE } from "~/domain/code-cards.server";
import type { CodeCardsInput } from "~/pdf/code-cards";
import {
  MAX_QUEUED,
  MAX_RENDERS,
  RenderFailed,
  RendererBusy,
  renderCodeCardsPdf,
} from "~/pdf/render.server";
import { loader } from "~/routes/_app.partner.$slug.batches.$batchId.cards[.]pdf";
import { testDb } from "../db.ts";
import {
  addPartnerMember,
  createBatchWithCodes,
  createBundle,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { getRequest, makeContext } from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";

/** Calls the resource route the way Remix does; a thrown Response (404, redirect) is returned. */
async function getCards(
  cookie: string | null,
  slug: string,
  batchId: string,
  query = "",
): Promise<Response> {
  const path = `/partner/${slug}/batches/${batchId}/cards.pdf${query}`;
  try {
    return await loader({
      request: getRequest(path, { cookie }),
      params: { slug, batchId },
      context: makeContext(),
    });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** Page objects of a PDF (`/Type /Page`, not the `/Pages` tree). */
function pageCount(pdf: Buffer): number {
  return pdf.toString("latin1").match(/\/Type\s*\/Page(?![a-z])/g)?.length ?? 0;
}

/** Every page's size in points, from its /MediaBox (what `pdfinfo -f 1 -l N` prints). */
function pageSizes(pdf: Buffer): { width: number; height: number }[] {
  return [...pdf.toString("latin1").matchAll(/\/MediaBox\s*\[\s*([\d.\s-]+)\]/g)].map((box) => {
    // A box of fewer than four numbers gives NaN sizes, which no expected size matches.
    const [x0 = NaN, y0 = NaN, x1 = NaN, y1 = NaN] = (box[1] ?? "").trim().split(/\s+/).map(Number);
    return { width: x1 - x0, height: y1 - y0 };
  });
}

const A4 = { width: (210 / 25.4) * 72, height: (297 / 25.4) * 72 };

function expectEveryPageA4(pdf: Buffer) {
  const sizes = pageSizes(pdf);
  expect(sizes).toHaveLength(pageCount(pdf));
  for (const size of sizes) {
    expect(size.width).toBeCloseTo(A4.width, 1);
    expect(size.height).toBeCloseTo(A4.height, 1);
  }
}

/** The PDF's content streams, inflated, as text: where the drawn strings are. */
function contentText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const streams: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const end = raw.indexOf("endstream", start);
    try {
      streams.push(inflateSync(pdf.subarray(start, end)).toString("latin1"));
    } catch {
      // not a deflated stream (or trailing bytes): skip
    }
  }
  return streams.join("\n");
}

/** How the standard fonts draw a string in a content stream: its bytes in hex. */
function drawn(text: string): string {
  return Buffer.from(text, "latin1").toString("hex");
}

async function pdfOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

interface World {
  slugA: string;
  slugB: string;
  ownerA: string;
  memberA: string;
  ownerB: string;
  ready: Awaited<ReturnType<typeof createBatchWithCodes>>;
  generating: Awaited<ReturnType<typeof createBatchWithCodes>>;
  someRevoked: Awaited<ReturnType<typeof createBatchWithCodes>>;
  allRevoked: Awaited<ReturnType<typeof createBatchWithCodes>>;
  batchB: Awaited<ReturnType<typeof createBatchWithCodes>>;
}

let world: World;

beforeAll(async () => {
  const a = await createPartnerWithOwner({ name: "Brewline Marketing" });
  const b = await createPartnerWithOwner();
  const member = await createUser();
  await addPartnerMember(a.partner.id, member.id, "member");
  const bundle = await createBundle(a.partner.id, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
  });
  const ready = await createBatchWithCodes(bundle, {
    count: 23,
    prefix: "CAFE",
    label: "Spring fair 2027",
  });
  const generating = await createBatchWithCodes(bundle, { count: 5, status: "generating" });
  const someRevoked = await createBatchWithCodes(bundle, { count: 12 });
  const allRevoked = await createBatchWithCodes(bundle, { count: 2 });
  const { db } = testDb();
  const revoke = (ids: number[]) =>
    db
      .updateTable("activation_codes")
      .set({ status: "revoked", revoked_at: new Date(), revoke_reason: "test" })
      .where("id", "in", ids)
      .execute();
  await revoke(someRevoked.codes.slice(0, 2).map((code) => code.id));
  await revoke(allRevoked.codes.map((code) => code.id));
  const batchB = await createBatchWithCodes(await createBundle(b.partner.id), { count: 3 });
  world = {
    slugA: a.partner.slug,
    slugB: b.partner.slug,
    ownerA: (await signInAs(a.owner)).cookie,
    memberA: (await signInAs(member)).cookie,
    ownerB: (await signInAs(b.owner)).cookie,
    ready,
    generating,
    someRevoked,
    allRevoked,
    batchB,
  };
});

describe("GET /partner/:slug/batches/:batchId/cards.pdf", () => {
  test("the owner gets a PDF of ten cards per page, codes in serial order", async () => {
    const response = await getCards(world.ownerA, world.slugA, world.ready.batch.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    expect(response.headers.get("Cache-Control")).toMatch(/private/);
    expect(response.headers.get("Content-Disposition")).toBe(
      `attachment; filename="cards-spring-fair-2027-${world.ready.batch.id.slice(0, 8)}.pdf"`,
    );
    const pdf = await pdfOf(response);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(Number(response.headers.get("Content-Length"))).toBe(pdf.byteLength);
    expect(pageCount(pdf)).toBe(Math.ceil(23 / 10));
    // Full sheets and the last, part-filled one alike: A4, bottom margin and cut marks included.
    expectEveryPageA4(pdf);

    const content = contentText(pdf);
    const first = at(world.ready.codes, 0, "code of the batch");
    const last = at(world.ready.codes, 22, "code of the batch");
    const firstAt = content.indexOf(drawn(formatCode(first.code, "CAFE")));
    const lastAt = content.indexOf(drawn(formatCode(last.code, "CAFE")));
    expect(firstAt).toBeGreaterThan(-1);
    expect(lastAt).toBeGreaterThan(firstAt);
  });

  test("a member of the partner may print too; part 1 is the default part", async () => {
    const response = await getCards(world.memberA, world.slugA, world.ready.batch.id, "?part=1");
    expect(response.status).toBe(200);
    expect(pageCount(await pdfOf(response))).toBe(3);
  });

  test("only outstanding codes get a card; none left is a 409", async () => {
    const some = await getCards(world.ownerA, world.slugA, world.someRevoked.batch.id);
    expect(some.status).toBe(200);
    const content = contentText(await pdfOf(some));
    expect(content).not.toContain(
      drawn(formatCode(at(world.someRevoked.codes, 0, "revoked code").code)),
    );
    expect(content).toContain(
      drawn(formatCode(at(world.someRevoked.codes, 2, "outstanding code").code)),
    );

    const none = await getCards(world.ownerA, world.slugA, world.allRevoked.batch.id);
    expect(none.status).toBe(409);
    expect(await none.text()).toMatch(/no codes left to print/);
  });

  test("a batch that is not ready is refused with 409", async () => {
    const response = await getCards(world.ownerA, world.slugA, world.generating.batch.id);
    expect(response.status).toBe(409);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(/once the batch is ready/);
  });

  test("another partner's batch, a missing one and a malformed id are 404", async () => {
    for (const [cookie, slug, batchId] of [
      [world.ownerB, world.slugB, world.ready.batch.id],
      [world.ownerA, world.slugA, world.batchB.batch.id],
      [world.ownerB, world.slugA, world.ready.batch.id],
      [world.ownerA, world.slugA, MISSING_UUID],
      [world.ownerA, world.slugA, "not-a-uuid"],
      [world.ownerA, world.slugA, `${world.ready.batch.id}'--`],
    ] as const) {
      const response = await getCards(cookie, slug, batchId);
      expect(response.status, `${slug} ${batchId}`).toBe(404);
    }
  });

  test("signed out is sent to sign in", async () => {
    const response = await getCards(null, world.slugA, world.ready.batch.id);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  test("a bad part is a 400 naming the field", async () => {
    for (const query of ["?part=0", "?part=abc", "?part=-1", "?part=2", "?part=1.5"]) {
      const response = await getCards(world.ownerA, world.slugA, world.ready.batch.id, query);
      expect(response.status, query).toBe(400);
      expect(await response.text(), query).toMatch(/^part: /);
    }
  });
});

function syntheticInput(count: number, serialFrom = 1): CodeCardsInput {
  return {
    title: "Activation codes · Café Starter",
    author: "Brewline Marketing",
    partnerName: "Brewline Marketing",
    bundleName: "Café Starter",
    bundleContent: ["2 staff seats", "1,000 card operations", "12 months"],
    redeemHint: "Scan the QR code or open the link to redeem:",
    cards: Array.from({ length: count }, (_, i) => {
      const code = formatCode(String(serialFrom + i).padStart(16, "0"), "CAFE");
      return {
        code,
        serialLabel: `Code #${serialFrom + i}`,
        redeemUrl: `http://localhost:3000/redeem/${code}`,
        redeemBy: "Redeem by 26 Nov 2027",
      };
    }),
  };
}

// Half a file: on this thread it would block the loop for seconds, and the test stays short.
const LOOP_TEST_CARDS = CARDS_PER_FILE / 2;

describe("renderCodeCardsPdf", () => {
  test(`renders ${LOOP_TEST_CARDS} cards in a worker while the event loop keeps ticking`, async () => {
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const interval = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = performance.now();
    try {
      const pdf = await renderCodeCardsPdf(syntheticInput(LOOP_TEST_CARDS));
      const elapsed = performance.now() - started;
      expect(pageCount(pdf)).toBe(LOOP_TEST_CARDS / 10);
      expectEveryPageA4(pdf);
      // A render on this thread would leave one gap as long as the render itself.
      expect(longestGap).toBeLessThan(Math.min(1000, elapsed / 5));
      expect(ticks).toBeGreaterThan(elapsed / 100);
    } finally {
      clearInterval(interval);
    }
  }, 60_000);

  test("a failing render rejects without taking the process down", async () => {
    const broken = { ...syntheticInput(1), cards: null } as unknown as CodeCardsInput;
    await expect(renderCodeCardsPdf(broken)).rejects.toBeInstanceOf(RenderFailed);
    await expect(renderCodeCardsPdf(syntheticInput(500), { timeoutMs: 50 })).rejects.toThrow(
      /timed out after 50 ms/,
    );
    // The slots were given back: a good render still goes through.
    const pdf = await renderCodeCardsPdf(syntheticInput(3));
    expect(pageCount(pdf)).toBe(1);
    expectEveryPageA4(pdf);
  });

  test("renders beyond the running and queued ones are turned away; aborts free their slot", async () => {
    const controller = new AbortController();
    const renders = Array.from({ length: MAX_RENDERS + MAX_QUEUED }, () =>
      renderCodeCardsPdf(syntheticInput(1), { signal: controller.signal }).then(
        () => "done",
        (error: unknown) => error,
      ),
    );
    await expect(renderCodeCardsPdf(syntheticInput(1))).rejects.toBeInstanceOf(RendererBusy);
    controller.abort(new Error("client went away"));
    const outcomes = await Promise.all(renders);
    for (const outcome of outcomes) {
      if (outcome !== "done") expect(String(outcome)).toMatch(/client went away/);
    }
    const pdf = await renderCodeCardsPdf(syntheticInput(1));
    expect(pageCount(pdf)).toBe(1);
  });
});
