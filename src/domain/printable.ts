/**
 * Job names, tags, reasons and file contents come from outside; written to a terminal as they
 * are, an ESC or BEL in them could recolour, retitle or clear it, and a newline could forge a
 * row. Control characters are shown as `\x1b`-style escapes instead.
 */

/** C0 and C1 controls and DEL. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** `text` with every control character (newlines too, unless `keepNewlines`) escaped. */
function printable(text: string, keepNewlines = false): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isControl(code) || (keepNewlines && code === 0x0a)) continue;
    out += `${text.slice(from, i)}\\x${code.toString(16).padStart(2, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

export { printable };
