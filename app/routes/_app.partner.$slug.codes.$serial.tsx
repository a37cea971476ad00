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
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { parseForm } from "~/lib/forms";
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

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const serial = serialParam(args.params.serial);
  const formData = await args.request.formData();
  const intent = String(formData.get("intent") ?? "");
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/partner/${partner.slug}/codes/${serial}`;
  try {
    if (intent === "handOut") {
      const form = parseForm(HandOutInputSchema, formData);
      if (!form.success) return formFailure(form);
      const { lockToEmail, ...recipient } = form.data;
      await handOutCode(db, {
        partnerId: partner.id,
        serial,
        recipient,
        lockToEmail,
        actor,
        ip,
        now: clock(),
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "codes:handOut.saved",
        values: { serial },
      });
    }
    if (intent === "email") {
      const language = resolveLocale(
        user.locale,
        args.request.headers.get("accept-language"),
      ).language;
      const code = await emailCode(db, {
        partnerId: partner.id,
        serial,
        actor,
        ip,
        language,
        now: clock(),
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "codes:email.sent",
        values: { serial, email: code.recipientEmail ?? "" },
      });
    }
    if (intent === "revoke") {
      const form = parseForm(RevokeInputSchema, formData);
      if (!form.success) return formFailure(form);
      await revokeCode(db, {
        partnerId: partner.id,
        serial,
        reason: form.data.reason,
        actor,
        ip,
        now: clock(),
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "codes:revoke.done",
        values: { serial },
      });
    }
    return formFailure({ errors: { intent: { key: "validation.choice" } }, values: { intent } });
  } catch (error) {
    if (error instanceof CodeNotFound) throw notFound();
    if (!(error instanceof DomainError)) throw error;
    const values: Record<string, string> = { intent };
    if (error instanceof RateLimited) return rateLimitedFailure(error, values);
    if (error.code === "invalid_request" && error.field) {
      return formFailure({ errors: { [error.field]: { key: "validation.invalid" } }, values });
    }
    return formFailure(
      {
        values,
        formError: domainErrorMessage(
          "codes:errors",
          error.code,
          error instanceof CodeNotRevocable ? { status: error.currentStatus } : {},
        ),
      },
      { status: error.status },
    );
  }
}

export default function CodePage() {
  return <PartnerCodePage />;
}
