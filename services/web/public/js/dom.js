// @ts-check
/**
 * Building DOM nodes. Text always goes in as text nodes (never HTML), so names and ids from
 * the API can hold any character without becoming markup.
 */

/** @typedef {Node | string | number | null | undefined | false} Leaf */
/** @typedef {Leaf | readonly (Leaf | readonly Leaf[])[]} Child  nested at most two levels */
/** @typedef {string | number | boolean | null | undefined | ((event: Event) => void)} AttrValue */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @param {Element} el
 * @param {Record<string, AttrValue>} attrs
 */
function setAttributes(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
}

/**
 * @param {Child} child
 * @returns {child is readonly Child[]}
 */
function isList(child) {
  return Array.isArray(child);
}

/**
 * @param {Node} parent
 * @param {readonly Child[]} children
 */
function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (isList(child)) append(parent, child);
    else if (typeof child === 'string' || typeof child === 'number')
      parent.appendChild(document.createTextNode(String(child)));
    else parent.appendChild(child);
  }
}

/**
 * An HTML element: `h('button', { class: 'x', onclick: f }, 'Label')`. Attributes whose name
 * starts with `on` and whose value is a function become event listeners.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/**
 * An SVG element, same conventions as `h`.
 * @param {string} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Child} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/**
 * Replaces the children of `el`.
 * @param {Element} el
 * @param {...Child} children
 */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}
