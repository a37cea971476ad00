import { z } from "zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { codeHistory, getCode, redeemUrl } from "~/domain/codes/reads.server";
import { emailCode, handOutCode, revokeCode } from "~/domain/codes/commands.server";
import { domainErrorMessage } from "~/lib/messages";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import {
  CodeNotFound,
  CodeNotRevocable,
  HandOutInputSchema,
  RevokeInputSchema,
} from "~/domain/codes/model.server";
import { DomainError, RateLimited } from "~/domain/errors.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { rateLimitedFailure } from "~/lib/form-responses.server";
import { dispatchIntent, intentForm, type IntentContext } from "~/lib/intents.server";
import { resolveLocale } from "~/lib/locale";
import { secretPageHeaders } from "~/lib/route-headers";
import { PartnerCodePage } from "~/components/codes/CodePage";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = ({ params }) => [
  { title: `Code #${params.serial ?? ""} · 7stamp Partner Portal` },
];

export const headers = secretPageHeaders;

/** The "N" of Code #N in the URL; anything else is a page that does not exist. */
function serialParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,14}$/.test(value)) throw notFound();
  return Number(value);
}

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const serial = serialParam(args.params.serial);
  const [code, history] = await Promise.all([
    getCode(db, { partnerId: partner.id, serial, now: clock() }),
    codeHistory(db, { partnerId: partner.id, serial }),
  ]);
  if (!code) throw notFound();
  return { code, history, redeemUrl: redeemUrl(code.code, code.prefix) };
}

/** The email form sends nothing but its intent: the code's recipient is on file. */
const EmailForm = z.object({});

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const serial = serialParam(args.params.serial);
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/partner/${partner.slug}/codes/${serial}`;

  /** A refusal of the domain, on the form that was sent; a code gone meanwhile is a 404. */
  const refused = (error: unknown, { intent, fail }: IntentContext) => {
    if (error instanceof CodeNotFound) throw notFound();
    if (!(error instanceof DomainError)) throw error;
    if (error instanceof RateLimited) return rateLimitedFailure(error, { intent });
    if (error.code === "invalid_request" && error.field) {
      return fail({ errors: { [error.field]: { key: "validation.invalid" } } });
    }
    const values: Record<string, string> =
      error instanceof CodeNotRevocable ? { status: error.currentStatus } : {};
    return fail(
      { formError: domainErrorMessage("codes:errors", error.code, values) },
      error.status,
    );
  };

  return dispatchIntent(formData, {
    handOut: intentForm(HandOutInputSchema, async (input, context) => {
      const { lockToEmail, ...recipient } = input;
      try {
        await handOutCode(db, {
          partnerId: partner.id,
          serial,
          recipient,
          lockToEmail,
          actor,
          ip,
          now: clock(),
        });
      } catch (error) {
        return refused(error, context);
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "codes:handOut.saved",
        values: { serial },
      });
    }),
    email: intentForm(EmailForm, async (_input, context) => {
      const language = resolveLocale(
        user.locale,
        args.request.headers.get("accept-language"),
      ).language;
      let recipientEmail: string | null;
      try {
        ({ recipientEmail } = await emailCode(db, {
          partnerId: partner.id,
          serial,
          actor,
          ip,
          language,
          now: clock(),
        }));
      } catch (error) {
        return refused(error, context);
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "codes:email.sent",
        values: { serial, email: recipientEmail ?? "" },
      });
    }),
    revoke: intentForm(RevokeInputSchema, async (input, context) => {
      try {
        await revokeCode(db, {
          partnerId: partner.id,
          serial,
          reason: input.reason,
          actor,
          ip,
          now: clock(),
        });
      } catch (error) {
        return refused(error, context);
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "codes:revoke.done",
        values: { serial },
      });
    }),
  });
}

export default function CodePage() {
  return <PartnerCodePage />;
}
