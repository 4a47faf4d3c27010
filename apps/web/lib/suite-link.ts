/** Client-safe part of the suite descriptions: their shape and the link to the /suites page. */
export interface SuiteInfo {
  board: string;
  column: string;
  subset: string;
  metric: string;
  scoring: string;
  url: string;
  description: string;
  /** Random-guess score in percent (the normalised view's zero). */
  baseline: number;
}

/** The site page that describes a subset's suite. */
export const suiteHref = (subset: string): string => `/suites#${encodeURIComponent(subset)}`;
