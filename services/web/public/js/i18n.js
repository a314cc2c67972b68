// @ts-check
/**
 * The page's two languages, 中文 and English. Every label is written in English in the code
 * and looked up with `t()`: in Chinese it is replaced by its entry in the catalogue
 * (i18n.zh.js); a missing entry shows the English text (and the browser test, which walks the
 * Chinese page for English words, fails). Placeholders are `{name}`. Text from the data
 * (partner names, ids, SKUs) never goes through `t()` and sits in elements marked
 * `translate="no"`.
 *
 * The choice is kept in localStorage; the first visit follows `navigator.language`.
 */
import { ZH } from './i18n.zh.js';

/** @typedef {'zh' | 'en'} Lang */

const STORAGE = 'chanperf.lang';

/** @returns {Lang} */
function initialLang() {
  const stored = storedLang();
  if (stored === 'zh' || stored === 'en') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** @returns {string | null} */
function storedLang() {
  try {
    return localStorage.getItem(STORAGE);
  } catch {
    return null; // storage refused (privacy mode): follow the browser
  }
}

/** @type {Lang} */
let current = initialLang();

/** @returns {Lang} */
export function lang() {
  return current;
}

/**
 * Switches the language and remembers it.
 * @param {Lang} next
 */
export function setLang(next) {
  current = next;
  try {
    localStorage.setItem(STORAGE, next);
  } catch {
    // not remembered; still switched for this page
  }
  applyStatic();
}

/**
 * The text in the current language, placeholders filled.
 * @param {string} english
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(english, params) {
  const template = current === 'zh' ? (ZH[english] ?? english) : english;
  if (params === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (/** @type {string} */ all, /** @type {string} */ name) => {
    const value = params[/** @type {string} */ (name)];
    return value === undefined ? all : String(value);
  });
}

/**
 * A count with its noun: English has one and other ("1 duplicate", "2 duplicates"); Chinese
 * has one form (the catalogue's entry for `other`).
 * @param {number} n
 * @param {string} one    e.g. "{n} duplicate"
 * @param {string} other  e.g. "{n} duplicates"
 * @returns {string}
 */
export function plural(n, one, other) {
  return t(current === 'en' && n === 1 ? one : other, { n });
}

/**
 * The static page (index.html): every element with `data-i18n` gets its text in the current
 * language; its English text is kept in the attribute on first use. `data-i18n-attr` names
 * attributes translated the same way (e.g. "aria-label").
 */
export function applyStatic() {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.title = t('chanperf · channel performance');
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const source = el.getAttribute('data-i18n') || (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    el.setAttribute('data-i18n', source);
    el.textContent = t(source);
  }
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const name of (el.getAttribute('data-i18n-attr') ?? '').split(' ')) {
      const key = `data-i18n-${name}`;
      const source = el.getAttribute(key) ?? el.getAttribute(name) ?? '';
      el.setAttribute(key, source);
      el.setAttribute(name, t(source));
    }
  }
}
