// A cursor as an attacker (or an old bookmark) would make one: any JSON, base64url-encoded
// the way the paginator encodes its own (app/domain/paging.server.ts).
export function forgeCursor(parts: unknown): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(parts))) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
