/**
 * The CI regression gate as `sciboard gate` runs it: the candidate's per-item verdicts against a baseline's,
 * with its reports. A separate entry (`@sciboard/runs/gate`) so the site, which has no gate, does not load it.
 */
export { databaseResolver, GateInputError, gateExitCode, renderJunit, renderMarkdown, renderTable, runGate } from '@sciboard/gate';
export type { GateStore, RefResolver } from '@sciboard/gate';
