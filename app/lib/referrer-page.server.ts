// The loader of the referrer's page, shared by the business and the partner route: the
// dashboard, the link's QR code (an SVG made on the server) and the paging flags.
import QRCode from "qrcode";
import { z } from "zod";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { referrerDashboard } from "~/domain/referrals/reads.server";
import type { ReferrerPageData } from "~/components/referrals/ReferrerPage";

const Query = z.object({ cursor: z.string().max(500).nullable().catch(null) });

export async function referrerPageData(
  request: Request,
  owner: { businessId: string } | { partnerId: string },
): Promise<ReferrerPageData> {
  const { cursor } = Query.parse({ cursor: new URL(request.url).searchParams.get("cursor") });
  const dashboard = await readPage(cursor, async (c) => {
    const read = await referrerDashboard(db, { owner, cursor: c });
    return { ...read, rows: read.referred.rows, nextCursor: read.referred.nextCursor };
  });
  const link = dashboard.account?.link;
  const qrSvg = link ? await QRCode.toString(link, { type: "svg", margin: 1 }) : null;
  return {
    dashboard: {
      account: dashboard.account,
      funnel: dashboard.funnel,
      referred: dashboard.referred,
    },
    qrSvg,
    isPartner: "partnerId" in owner,
    isFirstPage: !cursor || dashboard.staleCursor,
    staleCursor: dashboard.staleCursor,
  };
}
