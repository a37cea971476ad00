// attributeSeats, the one seat rule: the owner first, then members by the time they joined;
// plan seats first, then the grant that lasts longest; the rest get none. Deterministic.
import { describe, expect, test } from "vitest";
import { attributeSeats, type SeatHolder } from "./entitlements/seats.server";

const at = (day: number) => new Date(Date.UTC(2026, 0, day));

function grant(id: string, staffSeats: number, endsDay: number, createdDay = 1) {
  return {
    id,
    source: "code" as const,
    staffSeats,
    endsAt: at(endsDay),
    createdAt: at(createdDay),
  };
}

const owner: SeatHolder = { userId: "u-owner", role: "owner", joinedAt: at(20) };
const ana: SeatHolder = { userId: "u-ana", role: "staff", joinedAt: at(2) };
const ben: SeatHolder = { userId: "u-ben", role: "staff", joinedAt: at(3) };
const cat: SeatHolder = { userId: "u-cat", role: "staff", joinedAt: at(4) };

describe("attributeSeats", () => {
  test("the owner takes the plan seat first, even when staff joined earlier", () => {
    const seats = attributeSeats([ana, owner], 1, []);
    expect(seats.get("u-owner")).toEqual({ kind: "plan" });
    expect(seats.get("u-ana")).toEqual({ kind: "none" });
  });

  test("plan seats first, then the grant lasting longest, then the next", () => {
    const seats = attributeSeats([owner, ana, ben, cat], 1, [
      grant("g-short", 5, 40),
      grant("g-long", 1, 300),
    ]);
    expect(Object.fromEntries(seats)).toEqual({
      "u-owner": { kind: "plan" },
      "u-ana": { kind: "grant", grantId: "g-long" },
      "u-ben": { kind: "grant", grantId: "g-short" },
      "u-cat": { kind: "grant", grantId: "g-short" },
    });
  });

  test("members past the last seat get none, the latest joined first to go", () => {
    const seats = attributeSeats([cat, ben, owner, ana], 1, [grant("g", 1, 100)]);
    expect(seats.get("u-ana")).toEqual({ kind: "grant", grantId: "g" });
    expect(seats.get("u-ben")).toEqual({ kind: "none" });
    expect(seats.get("u-cat")).toEqual({ kind: "none" });
  });

  test("the owner is never left without a seat, even when the plan has none", () => {
    const seats = attributeSeats([owner, ana], 0, []);
    expect(seats.get("u-owner")).toEqual({ kind: "plan" });
    expect(seats.get("u-ana")).toEqual({ kind: "none" });
  });

  test("plan grants and grants without seats hold nobody", () => {
    const seats = attributeSeats([owner, ana], 1, [
      { id: "p", source: "plan", staffSeats: 9, endsAt: at(400), createdAt: at(1) },
      grant("g-empty", 0, 400),
    ]);
    expect(seats.get("u-ana")).toEqual({ kind: "none" });
  });

  test("the same state always gives the same answer, whatever the input order", () => {
    const sameTime = [
      { userId: "u-b", role: "staff", joinedAt: at(5) },
      { userId: "u-a", role: "staff", joinedAt: at(5) },
    ];
    const grants = [grant("g-2", 1, 100, 2), grant("g-1", 1, 100, 2)];
    const one = attributeSeats([owner, ...sameTime], 1, grants);
    const two = attributeSeats([...sameTime].reverse().concat(owner), 1, [...grants].reverse());
    expect(Object.fromEntries(one)).toEqual(Object.fromEntries(two));
    // Ties broken by id: the lower user id takes the lower grant id.
    expect(one.get("u-a")).toEqual({ kind: "grant", grantId: "g-1" });
    expect(one.get("u-b")).toEqual({ kind: "grant", grantId: "g-2" });
  });
});
