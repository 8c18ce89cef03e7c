/** An error's message on one line, for a result field or a report line. */
export const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
