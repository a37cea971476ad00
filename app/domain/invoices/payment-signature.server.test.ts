// The payment provider's signature (ADR 038): the header the provider sends verifies; a
// wrong secret, another body, a time more than 5 minutes away or a malformed header does not.
import { describe, expect, test } from "vitest";
import {
  PaymentSignatureInvalid,
  paymentSignatureHeader,
  verifyPaymentSignature,
} from "./payment-signature.server";

const secret = "whsec_unit_test_secret_0123456789";
const body = '{"id":"evt_1","type":"invoice.paid","data":{"invoice":"INV-2026-00001"}}';
const now = new Date("2026-12-06T12:00:00.000Z");
const t = Math.floor(now.getTime() / 1000);

function check(
  header: string | null,
  options: { at?: Date; key?: string | null; text?: string } = {},
) {
  return () =>
    verifyPaymentSignature({
      secret: options.key === undefined ? secret : options.key,
      header,
      body: options.text ?? body,
      now: options.at ?? now,
    });
}

describe("verifyPaymentSignature", () => {
  test("the provider's header verifies, up to 5 minutes either way", () => {
    expect(check(paymentSignatureHeader(secret, t, body))).not.toThrow();
    expect(check(paymentSignatureHeader(secret, t - 300, body))).not.toThrow();
    expect(check(paymentSignatureHeader(secret, t + 300, body))).not.toThrow();
    // A second v1 (a rolled secret) is accepted when one of them matches.
    const other = paymentSignatureHeader("whsec_old_secret_000000000", t, body).split(",")[1];
    expect(check(`${paymentSignatureHeader(secret, t, body)},${other}`)).not.toThrow();
  });

  test("refusals", () => {
    const refusals = [
      check(paymentSignatureHeader(secret, t - 301, body)),
      check(paymentSignatureHeader(secret, t + 301, body)),
      check(paymentSignatureHeader("whsec_wrong_secret_000000000", t, body)),
      check(paymentSignatureHeader(secret, t, body), { text: `${body} ` }),
      check(null),
      check(""),
      check(`t=${t}`),
      check(`t=${t},v1=abc`),
      check(`v1=${"0".repeat(64)}`),
      check(`t=${t},v1=${"0".repeat(64)}=x`),
      check(paymentSignatureHeader(secret, t, body), { key: null }),
    ];
    for (const refused of refusals) expect(refused).toThrow(PaymentSignatureInvalid);
    expect(check(paymentSignatureHeader(secret, t - 301, body))).toThrow(/5 minutes/);
  });
});
