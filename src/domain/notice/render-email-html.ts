import type { EmailMessage } from './render-email.js';

/** Hosts whose links become clickable: the AWS console, where every link of ours points. */
const LINK_HOST = /^(?:[a-z0-9-]+\.)*console\.aws\.amazon\.com$/;

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/g;

// Every control character except the line feed, and bidirectional overrides: the text part
// keeps its own rules, these make sure the HTML part never carries what it could hide.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const HIDDEN = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The HTML part of a notice email (SES sends it beside the text part), made from the rendered
 * text so both always say the same. The first line is the heading; the rest keeps its layout
 * in a preformatted block. Everything is escaped, and only AWS console links and the notice's
 * own action links (`message.actionUrls`, signed by the service) are live, so no job-controlled
 * text can add markup or a link.
 *
 * @example renderEmailHtml(renderEmail(notice, 'alice@example.com')).startsWith('<!DOCTYPE html>') // true
 */
function renderEmailHtml(message: EmailMessage): string {
  const text = clean(message.text).replace(/\n+$/, '');
  const [first = '', ...rest] = text.split('\n');
  const own = new Set(message.actionUrls ?? []);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(clean(message.subject))}</title></head>`,
    '<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,' +
      'sans-serif;font-size:14px;line-height:1.45;color:#1d1c1d;background:#ffffff">',
    `<p style="margin:0 0 12px;font-size:16px;font-weight:600">${withLinks(first, own)}</p>`,
    '<pre style="margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;' +
      `font-size:13px;white-space:pre-wrap;word-break:break-word">${withLinks(rest.join('\n'), own)}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}

function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(HIDDEN, '').replace(LONE_SURROGATE, '\uFFFD');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Escapes `text`, turning AWS console URLs and the notice's action URLs (only those) into links. */
function withLinks(text: string, own: ReadonlySet<string>): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(/[.,;:!?)]+$/, '');
    const at = match.index;
    html += escapeHtml(text.slice(last, at));
    html +=
      isConsoleUrl(url) || own.has(url)
        ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`
        : escapeHtml(url);
    last = at + url.length;
  }
  return html + escapeHtml(text.slice(last));
}

function isConsoleUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === 'https:' &&
      parsed.username === '' &&
      parsed.password === '' &&
      parsed.port === '' &&
      LINK_HOST.test(parsed.hostname)
    );
  } catch {
    return false;
  }
}

export { renderEmailHtml };
