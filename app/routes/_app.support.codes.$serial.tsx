import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { notFound, requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import {
  ExtendExpirySchema,
  extendCodeExpiry,
  revokeCodeBySupport,
  rollBackClaimBySupport,
  SupportReasonSchema,
  supportCodePage,
} from "~/domain/support-codes.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { dispatchIntent, intentForm, supportRefusal } from "~/lib/intents.server";
import { SupportCodePage } from "~/components/support/CodePage";
import { clock } from "~/lib/clock.server";
import { formValues } from "~/lib/forms";

export const meta: MetaFunction = ({ params }) => [
  { title: `Code #${params.serial} · Support · 7stamp Partner Portal` },
];

function serialOf(param: string | undefined): number {
  const serial = /^\d{1,15}$/.test(param ?? "") ? Number(param) : NaN;
  if (!Number.isSafeInteger(serial) || serial <= 0) throw notFound();
  return serial;
}

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const page = await supportCodePage(db, { serial: serialOf(args.params.serial), now: clock() });
  if (!page) throw notFound();
  return { page, today: new Date().toISOString().slice(0, 10) };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const serial = serialOf(args.params.serial);
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const typed = formValues(formData);
  const here = `/support/codes/${serial}`;

  /** A correction of the code: done, it says so; refused, the refusal is shown on its form. */
  const correction = <S extends z.ZodTypeAny>(
    done: "revoke" | "extend" | "rollBack",
    schema: S,
    correct: (input: z.output<S>) => Promise<unknown>,
  ) =>
    intentForm(schema, async (input, { fail }) => {
      try {
        await correct(input);
      } catch (error) {
        // Refusals about the code's state are about the whole form, not one field of it.
        return supportRefusal(error, fail, typed, { formLevel: ["code"] });
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: `support:codes.done.${done}`,
        values: { serial },
      });
    });

  return dispatchIntent(formData, {
    revoke: correction("revoke", SupportReasonSchema, ({ reason }) =>
      revokeCodeBySupport(db, { now: clock(), serial, reason, actor, ip }),
    ),
    extend: correction("extend", ExtendExpirySchema, (input) =>
      extendCodeExpiry(db, { now: clock(), serial, ...input, actor, ip }),
    ),
    rollBack: correction("rollBack", SupportReasonSchema, ({ reason }) =>
      rollBackClaimBySupport(db, { now: clock(), serial, reason, actor, ip }),
    ),
  });
}

export default function SupportCode() {
  return <SupportCodePage />;
}
