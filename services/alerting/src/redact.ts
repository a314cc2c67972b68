/**
 * Redaction of URLs before they are logged or stored. The webhook URL may carry secrets: a
 * `user:password@` (refused by the configuration, but a URL can come from elsewhere), a
 * token in the query or in the path. So a URL is written as its origin only, with a marker
 * for what was left out: `https://***@alerts.example.com/…`.
 */

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/**
 * The loggable form of `url`: scheme, host and port; `***@` in front of the host when it had
 * credentials, `/…` after it when it had a path, query or fragment. Not a URL: `[URL]`.
 */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return '[URL]';
  }
  if (u.host === '') return `${u.protocol}[…]`; // mailto:, data:, …: no origin to keep
  const credentials = u.username !== '' || u.password !== '' ? '***@' : '';
  const rest = `${u.pathname}${u.search}${u.hash}` === '/' ? '' : '/…';
  return `${u.protocol}//${credentials}${u.host}${rest}`;
}

/** `text` with every URL in it redacted by `redactUrl` (error messages quote URLs). */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => redactUrl(match));
}
