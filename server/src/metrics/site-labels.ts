/** The label every site past the cap is counted under. */
export const OTHER_SITE = 'other';

/**
 * Which `site` label a site id gets. Each label value is a time series per metric for as long as
 * Prometheus keeps it, so the number of them is bounded: the first `maxSites` site ids this
 * process sees keep their id, every later one is folded into `site="other"`. First come, first
 * served, for the life of the process: a site never changes label between scrapes (a counter that
 * moved from its id to "other" would look like a reset and a new series).
 */
export class SiteLabels {
  private readonly labels = new Map<string, string>();
  private own = 0;
  private folded = 0;

  constructor(readonly maxSites: number) {}

  label(siteId: string): string {
    const known = this.labels.get(siteId);
    if (known !== undefined) return known;
    let label: string;
    if (this.own < this.maxSites) {
      label = siteId;
      this.own += 1;
    } else {
      label = OTHER_SITE;
      this.folded += 1;
    }
    this.labels.set(siteId, label);
    return label;
  }

  /** How many site ids were folded into "other" so far. */
  get foldedSites(): number {
    return this.folded;
  }
}
