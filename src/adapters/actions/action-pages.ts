import { createHash } from 'node:crypto';

/**
 * The small HTML pages of the action endpoints: every text escaped, no script, no external
 * resource, one inline style allowed by its hash in a strict Content-Security-Policy.
 */

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem;color:#1b1b1b;background:#f6f6f4}' +
  'main{max-width:34rem;margin:auto;background:#fff;padding:1.5rem 2rem;border-radius:8px}' +
  'h1{font-size:1.3rem;margin-top:0}button{font:inherit;padding:.6rem 1.2rem;border:0;' +
  'border-radius:6px;background:#1f5faa;color:#fff;cursor:pointer}' +
  'button.danger{background:#b3261e}';

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Headers of every page and answer: nothing cached, no referrer (the URL is a credential). */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface PageForm {
  readonly button: string;
  /** A release is destructive: its button says so. */
  readonly danger: boolean;
}

/**
 * One page: a title, a message and optionally a form that POSTs to the same URL.
 *
 * @example actionPage('Keep this warm pool?', 'The warm pool …', { button: 'Keep warm until 14:32', danger: false })
 */
function actionPage(title: string, message: string, form?: PageForm): string {
  const formHtml =
    form === undefined
      ? ''
      : `<form method="post"><input type="hidden" name="confirm" value="yes">` +
        `<button type="submit"${form.danger ? ' class="danger"' : ''}>${escapeHtml(form.button)}</button></form>`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="robots" content="noindex,nofollow">' +
    `<title>${escapeHtml(title)} · Pool Warden</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${formHtml}</main></body></html>`
  );
}

export type { PageForm };
export { actionPage, escapeHtml, PAGE_HEADERS };
