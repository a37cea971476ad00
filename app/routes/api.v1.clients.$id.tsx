// GET /api/v1/clients/{id} — one client of the key's partner: its figures, each of the
// partner's codes it claimed (as the business's billing page shows it) and its daily card
// operations over the last 90 days. Another partner's client answers 404 like an unknown id.
import { jsonResponse, partnerApiRoute } from "~/api/handler.server";
import { db } from "~/db.server";
import { getClient } from "~/domain/clients/reads.server";
import { type ClientCode } from "~/domain/clients/model.server";
import { clientJson } from "~/api/serialize.server";
import { clock } from "~/lib/clock.server";

function clientCodeJson(code: ClientCode) {
  return {
    grant_id: code.id,
    code_serial: code.code?.serial ?? null,
    bundle_name: code.code?.bundleName ?? null,
    state: code.state,
    staff_seats: { granted: code.staffSeats, occupied: code.staffSeatsTaken },
    card_operations: {
      granted: code.cardOperations,
      used: code.cardOperationsUsed,
      // What can still be drawn: nothing once the code has ended.
      available: code.state === "ended" ? 0 : code.cardOperationsAvailable,
    },
    claimed_at: code.claimedAt.toISOString(),
    starts_at: code.startsAt.toISOString(),
    ends_at: code.endsAt.toISOString(),
    rolled_back_at: code.rolledBackAt?.toISOString() ?? null,
  };
}

const route = partnerApiRoute("/api/v1/clients/{id}", {
  GET: async ({ params, auth }) => {
    const { client, codes, dailyUsage } = await getClient(db, {
      partnerId: auth.partner.id,
      businessId: params.id ?? "",
      now: clock(),
    });
    return jsonResponse({
      ...clientJson(client),
      codes: codes.map(clientCodeJson),
      daily_card_operations: dailyUsage.map((day) => ({
        date: day.date,
        card_operations: day.cardOperations,
      })),
    });
  },
});

export const loader = route.loader;
export const action = route.action;
