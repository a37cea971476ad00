import { describe, expect, it } from "vitest";
import {
  CODE_ALPHABET,
  checkSymbol,
  formatCode,
  generateCode,
  hasValidCheckSymbol,
  parseCode,
  parseSerial,
} from "./activation-code";

describe("check symbol (Luhn mod 32)", () => {
  // Worked by hand: the rightmost symbol is doubled, digits of the product summed in base 32.
  it.each([
    ["000000000000000", "0"],
    ["000000000000001", "Y"], // 2·1 = 2 → 32 − 2 = 30 → Y
    ["00000000000000Z", "1"], // 2·31 = 62 = 1·32 + 30 → 31 → 1
    ["0000000000000Z0", "1"], // 1·31 → 31 → 1
    ["000000000000010", "Z"], // 1·1 → 31 → Z
    ["0000000000000G0", "G"], // 1·16 → 16 → G
  ])("%s → %s", (body, expected) => {
    expect(checkSymbol(body)).toBe(expected);
    expect(hasValidCheckSymbol(body + expected)).toBe(true);
  });

  it("refuses a symbol outside the alphabet", () => {
    expect(() => checkSymbol("U")).toThrow(RangeError);
  });
});

describe("generateCode", () => {
  it("makes 16 symbols of the alphabet with a valid check symbol", () => {
    for (let i = 0; i < 1000; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
      expect(hasValidCheckSymbol(code)).toBe(true);
    }
  });

  it("does not repeat itself", () => {
    const codes = new Set(Array.from({ length: 10_000 }, generateCode));
    expect(codes.size).toBe(10_000);
  });
});

describe("formatCode", () => {
  it("groups by four, after the prefix", () => {
    expect(formatCode("ABCDEFGHJKMNPQRS")).toBe("ABCD-EFGH-JKMN-PQRS");
    expect(formatCode("ABCDEFGHJKMNPQRS", "CAFE")).toBe("CAFE-ABCD-EFGH-JKMN-PQRS");
  });
});

describe("parseCode", () => {
  const code = "0000000000000G0G";

  it("reads any case, spaces and dashes", () => {
    expect(parseCode("0000-0000-0000-0g0g")).toEqual({ kind: "code", code, prefix: null });
    expect(parseCode("  0000 0000 0000 0G0G ")).toEqual({ kind: "code", code, prefix: null });
    expect(parseCode("oooo-oooo-oooo-ogog")).toEqual({ kind: "code", code, prefix: null });
  });

  it("reads O as zero and I or L as one", () => {
    expect(parseCode("OOOOOOOOOOOOOO1Y")).toEqual({
      kind: "code",
      code: "000000000000001Y",
      prefix: null,
    });
    expect(parseCode("00000000000000iy")).toEqual(parseCode("00000000000000LY"));
    expect(parseCode("00000000000000ly")).toMatchObject({ kind: "code", code: "000000000000001Y" });
  });

  it("keeps a typed prefix apart from the code", () => {
    expect(parseCode("cafe-0000-0000-0000-0G0G")).toEqual({ kind: "code", code, prefix: "CAFE" });
    // A prefix may hold letters the code alphabet lacks.
    expect(parseCode("BURGER 0000000000000G0G")).toMatchObject({ kind: "code", prefix: "BURGER" });
  });

  it("tells a mistyped code from a malformed one", () => {
    expect(parseCode("0000-0000-0000-0G0H")).toEqual({ kind: "mistyped" });
    expect(parseCode("0000-0000-0000-0G0")).toEqual({ kind: "malformed" });
    expect(parseCode("0000-0000-0000-0G0U")).toEqual({ kind: "malformed" });
    expect(parseCode("")).toEqual({ kind: "malformed" });
    expect(parseCode("a-very-long-prefix-0000-0000-0000-0G0G")).toEqual({ kind: "malformed" });
    expect(parseCode("ca_fe0000000000000G0G")).toEqual({ kind: "malformed" });
  });
});

describe("properties", () => {
  const codes = Array.from({ length: 300 }, generateCode);

  it("every generated code, formatted any way, parses back to itself", () => {
    for (const code of codes) {
      expect(parseCode(code)).toEqual({ kind: "code", code, prefix: null });
      expect(parseCode(formatCode(code).toLowerCase())).toEqual({
        kind: "code",
        code,
        prefix: null,
      });
      expect(parseCode(formatCode(code, "PX7"))).toEqual({ kind: "code", code, prefix: "PX7" });
      expect(parseCode(formatCode(code).split("-").join(" "))).toMatchObject({ code });
    }
  });

  it("the check symbol catches every single-symbol substitution", () => {
    for (const code of codes.slice(0, 60)) {
      for (let position = 0; position < code.length; position++) {
        for (const symbol of CODE_ALPHABET) {
          if (symbol === code[position]) continue;
          const typo = code.slice(0, position) + symbol + code.slice(position + 1);
          expect(parseCode(typo)).toEqual({ kind: "mistyped" });
        }
      }
    }
  });

  // Like decimal Luhn with 09 ↔ 90, Luhn mod 32 cannot see 0Z ↔ Z0 (values 0 and 31).
  it("the check symbol catches swapping two neighbouring symbols, except 0 and Z", () => {
    for (const code of codes.slice(0, 60)) {
      for (let position = 0; position < code.length - 1; position++) {
        const [a = "", b = ""] = [code[position], code[position + 1]];
        if (a === b || (a + b).match(/^(0Z|Z0)$/)) continue;
        const swapped = code.slice(0, position) + b + a + code.slice(position + 2);
        expect(hasValidCheckSymbol(swapped)).toBe(false);
      }
    }
  });
});

describe("parseSerial", () => {
  it("reads #N or N", () => {
    expect(parseSerial("#42")).toBe(42);
    expect(parseSerial(" 7 ")).toBe(7);
    expect(parseSerial("# 9")).toBe(9);
    expect(parseSerial("0")).toBeNull();
    expect(parseSerial("4a")).toBeNull();
    expect(parseSerial("9999999999999999")).toBeNull();
  });
});
