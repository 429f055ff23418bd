import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/domain/notice/render-email.js';
import { renderEmailHtml } from '../../../src/domain/notice/render-email-html.js';
import { finishedJob, noticeFor } from '../../helpers/domain-notices.js';

const CONSOLE =
  'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/resnet-sweep-017';

// biome-ignore lint/suspicious/noControlCharactersInRegex: what must never reach the HTML
const HIDDEN = /[\u0000-\u0009\u000b-\u001f\u202e]/;

function message(text: string, subject = 'Pool Warden: Completed - resnet-sweep-017') {
  return { to: 'alice@example.com', subject, text };
}

/** The text a reader sees: tags removed, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('render-email-html', () => {
  it('shows the first line as the heading and keeps the rest in a preformatted block', () => {
    // Prepare
    const text = 'resnet-sweep-017 completed.\n\nStatus:  Completed\nOwner:   Alice\n';

    // Act
    const html = renderEmailHtml(message(text));

    // Assess
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('font-weight:600">resnet-sweep-017 completed.</p>');
    expect(html).toContain(
      'white-space:pre-wrap;word-break:break-word">\nStatus:  Completed\nOwner:   Alice</pre>'
    );
    expect(html).toContain('<title>Pool Warden: Completed - resnet-sweep-017</title>');
  });

  it('escapes markup from a failure reason so it shows as text', () => {
    // Prepare
    const text =
      'job failed.\nFailure reason: <img src=x onerror="alert(1)"> & <script>x</script>\n';

    // Act
    const html = renderEmailHtml(message(text, 'a <b>subject</b>'));

    // Assess
    expect(html).not.toMatch(/<img|<script|<b>/);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;script&gt;');
    expect(html).toContain('<title>a &lt;b&gt;subject&lt;/b&gt;</title>');
  });

  it('links the AWS console and no other URL when the text holds both', () => {
    // Prepare
    const text = `job failed.\nReason: see https://evil.example/phish and https://console.aws.amazon.com.evil.example/x\nOpen in the SageMaker console: ${CONSOLE}\n`;

    // Act
    const html = renderEmailHtml(message(text));

    // Assess
    const links = [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);
    expect(links).toEqual([CONSOLE]);
    expect(html).toContain('see https://evil.example/phish and');
  });

  it('does not carry a quote out of a console link when a URL holds one', () => {
    // Prepare
    const text = `x\n${'https://console.aws.amazon.com/a&b=1'}"onmouseover="alert(1)\n`;

    // Act
    const html = renderEmailHtml(message(text));

    // Assess
    expect(html).toContain('<a href="https://console.aws.amazon.com/a&amp;b=1">');
    expect(html).not.toContain('"onmouseover');
  });

  it('drops control characters and bidi overrides and mends lone surrogates', () => {
    // Prepare
    const text = 'job\u001b[31m red\u202e gnp.exe\r\nnext\ud800 line\n';

    // Act
    const html = renderEmailHtml(message(text));

    // Assess
    expect(html).not.toMatch(HIDDEN);
    expect(html).toContain('job[31m red gnp.exe');
    expect(html).toContain('next\ufffd line');
  });

  it('says what the text part says for a rendered notice', () => {
    // Prepare
    const email = renderEmail(noticeFor({ job: finishedJob() }), 'alice@example.com');

    // Act
    const html = renderEmailHtml(email);

    // Assess
    const body = html.slice(html.indexOf('<body'));
    expect(visibleText(body).replace(/\s+/g, ' ').trim()).toBe(
      email.text.replace(/\s+/g, ' ').trim()
    );
  });

  it('never lets text open a tag or an attribute, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), (text, subject) => {
        const html = renderEmailHtml(message(text, subject));
        const body = html.slice(html.indexOf('<body'));
        const tags = [...body.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]);
        expect(new Set(tags)).toEqual(new Set(['body', 'p', 'pre', 'html']));
        expect(visibleText(body)).not.toMatch(HIDDEN);
      })
    );
  });
});
