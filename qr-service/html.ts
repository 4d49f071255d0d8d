/**
 * HTML escaping for the consumer page. Everything that comes from a record is escaped where it
 * is written, text and attribute alike, so a product named `<script>` prints as that text.
 */

const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : text;
}
