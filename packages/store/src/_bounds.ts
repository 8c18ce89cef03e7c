// How much of each object anything reads: a bigger one is refused (StoreError E_TOO_LARGE, found
// without reading it whole) and is that object's error, never the reader's memory. One home for
// the numbers; the store README's "Size bounds" table lists them.

/** A heartbeat or run state (a heartbeat is a few dozen bytes, a run state a few hundred). */
export const MAX_RECORD_BYTES = 64 * 1024;

/** A failure record: its output tail (`svcmon run --output-bytes`, at most MAX_OUTPUT_BYTES) JSON-escaped, and the rest. */
export const MAX_FAILURE_BYTES = 1024 * 1024;

/** The most of a run's output a failure record keeps: escaped as JSON (at most 6 bytes a byte) it fits MAX_FAILURE_BYTES. */
export const MAX_OUTPUT_BYTES = 128 * 1024;

/** config.rktd: about 300,000 tasks of a hundred bytes each. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/**
 * What a monitor keeps beside its config and that grows with it: its state
 * (`svcmon-pulse-state/<monitor>.json`) and what it remembered of its reads: a few hundred bytes
 * a check at the largest config.
 */
export const MAX_STATE_BYTES = 128 * 1024 * 1024;
