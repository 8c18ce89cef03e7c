/** A UTF-16 surrogate without its partner: no Unicode scalar value, so no Racket character. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * The text as Racket would read it from UTF-8: a lone surrogate cannot be encoded, so it reaches
 * Racket as U+FFFD (what an encoder writes for it), one code unit for one, so offsets stay put.
 */
export function wellFormed(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, '\ufffd') : text;
}
