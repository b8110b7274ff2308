/** Printable form of a URL for logs: scheme, host and path; no userinfo, query (pre-signed tokens) or fragment. */
export function displayUrl(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
