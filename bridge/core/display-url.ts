/**
 * Printable form of a URL for logs: scheme, host and path; no userinfo, query (pre-signed tokens) or
 * fragment. `invalid` is returned for a string that does not parse as a URL.
 */
export function displayUrl(uri: string, invalid = '(invalid URL)'): string {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return invalid;
  }
}
