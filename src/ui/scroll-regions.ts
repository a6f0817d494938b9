/**
 * Keyboard access to the boxes that scroll sideways (`.scroll-x`, wide tables on a phone): a box whose
 * content really overflows becomes a named, focusable region, so arrow keys can scroll it (WCAG 2.1.1;
 * axe: scrollable-region-focusable). A box that fits gets no extra tab stop. Attached once, to <main>,
 * so the components that render tables need not know.
 */
const MARK = 'data-scroll-region';

function regionName(box: HTMLElement): string {
  const caption = box.querySelector('caption, figcaption')?.textContent?.trim();
  if (caption) return caption;
  let node: Element | null = box;
  while (node && node !== document.body) {
    const heading: Element | null = node.querySelector(':scope > h2, :scope > h3, :scope > h4');
    if (heading?.textContent) return heading.textContent.trim();
    node = node.parentElement;
  }
  return 'Table';
}

function update(box: HTMLElement): void {
  const overflows = box.scrollWidth > box.clientWidth + 1;
  if (overflows && !box.hasAttribute(MARK)) {
    // Remember what we add, so that a box that fits again gets back exactly what its component gave it.
    const added = ['tabindex', 'role', 'aria-label'].filter((name) => !box.hasAttribute(name));
    box.setAttribute(MARK, added.join(' '));
    if (added.includes('tabindex')) box.tabIndex = 0;
    if (added.includes('role')) box.setAttribute('role', 'region');
    if (added.includes('aria-label')) box.setAttribute('aria-label', `${regionName(box)} (scrolls sideways)`);
  } else if (!overflows && box.hasAttribute(MARK)) {
    for (const name of box.getAttribute(MARK)?.split(' ') ?? []) if (name) box.removeAttribute(name);
    box.removeAttribute(MARK);
  }
}

/** Svelte attachment: keeps every `.scroll-x` under `root` keyboard-scrollable while it overflows. */
export function scrollRegions(root: HTMLElement): () => void {
  const resize = new ResizeObserver((entries) => entries.forEach((entry) => update(entry.target as HTMLElement)));
  const observed = new WeakSet<Element>();
  const scan = () => {
    for (const box of root.querySelectorAll<HTMLElement>('.scroll-x')) {
      if (!observed.has(box)) {
        observed.add(box);
        resize.observe(box);
      }
      update(box);
    }
  };
  const mutations = new MutationObserver(scan);
  mutations.observe(root, { childList: true, subtree: true });
  scan();
  return () => {
    mutations.disconnect();
    resize.disconnect();
  };
}
