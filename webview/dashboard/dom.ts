// Building DOM nodes without ever parsing markup: text goes in through text nodes only, so peer
// names and other untrusted strings render as text (never innerHTML).

export type Child = Node | string | null | undefined | false;

export interface Props {
  readonly class?: string;
  readonly title?: string;
  /** Plain attributes (data-*, aria-*, role...). Never event handlers or style. */
  readonly attrs?: Readonly<Record<string, string>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number>> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  append(node, children);
  return node;
}

function applyProps(node: Element, props: Props): void {
  if (props.class) node.setAttribute('class', props.class);
  if (props.title) node.setAttribute('title', props.title);
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    // Attribute names come from our code, but keep the rule checkable: no on* handlers, no style.
    if (/^on/i.test(k) || k.toLowerCase() === 'style') throw new Error(`refusing attribute ${k}`);
    node.setAttribute(k, v);
  }
}

function append(node: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}
