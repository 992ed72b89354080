// The widget lives in a shadow root, where the host page's stylesheets do not reach and
// from which ours do not leak. Only the host element itself is in the page: its inline
// !important declarations outrank any page rule (even `* { all: unset !important }`), and
// its custom tag name is matched by no `div` or `section` selector.
const HOST_STYLE: [string, string][] = [
  ['all', 'initial'],
  ['display', 'block'],
  ['position', 'fixed'],
  ['right', '0'],
  ['bottom', '0'],
  ['width', '0'],
  ['height', '0'],
  ['z-index', '2147483647'],
];

export function mountShadowRoot(css: string): ShadowRoot {
  const host = document.createElement('onethread-widget');
  for (const [name, value] of HOST_STYLE) host.style.setProperty(name, value, 'important');
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  // A constructed stylesheet is not inline style, so a host page whose CSP forbids
  // 'unsafe-inline' styles still lets it apply; older browsers get a <style> element.
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = css;
    root.append(style);
  }
  return root;
}
