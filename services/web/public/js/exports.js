// @ts-check
/**
 * The Export buttons of every table: CSV and Excel (`.xlsx`) of the API route the table shows,
 * fetched with the API key (an `Authorization` header, so not a plain link) and saved under the
 * file name the server gives (`Content-Disposition`) through a temporary `blob:` link.
 *
 * Labels follow the page's language (`<html lang>`): Chinese when it starts with `zh`, else
 * English; they are read when the buttons are drawn, so a language switch that redraws the
 * view relabels them.
 */
import { h } from './dom.js';
import { state } from './state.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const LABELS = {
  en: { group: 'Export', csv: 'Export CSV', xlsx: 'Export Excel', failed: 'Export failed' },
  zh: { group: '导出', csv: '导出 CSV', xlsx: '导出 Excel', failed: '导出失败' },
};

/** @returns {typeof LABELS.en} */
function labels() {
  return document.documentElement.lang.toLowerCase().startsWith('zh') ? LABELS.zh : LABELS.en;
}

/**
 * `path` with `format=` added to its query.
 * @param {string} path
 * @param {'csv' | 'xlsx'} format
 */
function withFormat(path, format) {
  return `${path}${path.includes('?') ? '&' : '?'}format=${format}`;
}

/**
 * The file name of a `Content-Disposition: attachment; filename="…"`, else a default.
 * @param {string | null} disposition
 * @param {'csv' | 'xlsx'} format
 */
function fileName(disposition, format) {
  const m = /filename="([^"]+)"/.exec(disposition ?? '');
  return m?.[1] ?? `chanperf.${format}`;
}

/**
 * Fetches `path` as `format` and saves it.
 * @param {string} path
 * @param {'csv' | 'xlsx'} format
 */
async function download(path, format) {
  const key = state.session?.key ?? null;
  /** @type {Record<string, string>} */
  const headers = { accept: format === 'csv' ? 'text/csv' : XLSX };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(withFormat(path, format), { headers, cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const href = URL.createObjectURL(await res.blob());
  const link = h('a', {
    href,
    download: fileName(res.headers.get('content-disposition'), format),
    hidden: true,
  });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference to the blob once started; free the URL afterwards.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/**
 * The CSV and Excel buttons for the table read from `path` (an API path, e.g. `/v1/channels`).
 * @param {string} path
 * @returns {HTMLElement}
 */
export function exportButtons(path) {
  const text = labels();
  const status = h('span', { class: 'export-status', role: 'status' });
  /** @param {'csv' | 'xlsx'} format */
  const button = (format) =>
    h(
      'button',
      {
        type: 'button',
        'data-export': format,
        'data-focus': `export:${path}:${format}`,
        onclick: (e) => {
          const btn = /** @type {HTMLButtonElement} */ (e.currentTarget);
          btn.disabled = true;
          status.textContent = '';
          download(path, format)
            .catch((/** @type {unknown} */ err) => {
              status.textContent = `${text.failed}: ${err instanceof Error ? err.message : String(err)}`;
            })
            .finally(() => {
              btn.disabled = false;
            });
        },
      },
      format === 'csv' ? text.csv : text.xlsx,
    );
  return h(
    'span',
    { class: 'export', role: 'group', 'aria-label': text.group, 'data-export-path': path },
    button('csv'),
    button('xlsx'),
    status,
  );
}
