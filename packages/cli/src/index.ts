// Public entry: run the `svcmon` command line from code (tests, embedding).
export { main, type MainOptions } from './main.js';
export type { OutputStream } from './_io.js';
export { CliError, isCliError, type CliErrorCode } from './errors.js';
