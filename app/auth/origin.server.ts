// Cross-site request refusal: a state-changing request must come from our own origin.
// Browsers send Origin on every POST; Sec-Fetch-Site covers the rest. Bearer-token API
// calls carry no cookies and are not subject to this.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface OriginCheckInput {
  method: string;
  origin: string | null | undefined;
  secFetchSite: string | null | undefined;
  /** Origins this deployment answers on (PUBLIC_URL's, and the request's own host). */
  allowedOrigins: string[];
}

export function isCrossSiteRequest({
  method,
  origin,
  secFetchSite,
  allowedOrigins,
}: OriginCheckInput): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  if (origin) return origin === "null" || !allowedOrigins.includes(origin);
  if (secFetchSite) return !["same-origin", "none"].includes(secFetchSite);
  return false;
}
