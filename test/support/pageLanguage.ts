/**
 * Checks of the page's language in a browser, for the page's end-to-end tests (webI18n, webWhatIf).
 */
import type { Page } from './headlessChromium.js';

/** Words of three letters or more allowed on the Chinese page outside the data. */
export const ALLOWED = ['chanperf', 'API', 'SKU', 'bps', 'CSV', 'XLSX', 'Excel', 'English'];

/**
 * In the page (the tests' TypeScript has no DOM library, so it is a string): the page's own
 * text — text nodes, titles, labels, placeholders, the document title — that has a word of
 * three letters or more not in `allow`, outside the data (`translate="no"`).
 */
const ENGLISH_LEFT = `(allow) => {
  const found = [];
  const check = (text, where) => {
    const words = text.match(/[A-Za-z]{3,}/g) ?? [];
    if (words.some((w) => !allow.includes(w))) found.push(where.tagName.toLowerCase() + ': ' + text.trim());
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el === null || el.closest('[translate="no"], script, style') !== null) continue;
    check(n.textContent ?? '', el);
  }
  for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
    if (el.closest('[translate="no"]') !== null) continue;
    for (const name of ['title', 'aria-label', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value !== null) check(value, el);
    }
  }
  check(document.title, document.documentElement);
  return found;
}`;

export function englishLeft(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(${ENGLISH_LEFT})(${JSON.stringify(ALLOWED)})`);
}
