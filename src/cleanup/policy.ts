// What a cleanup policy is (Nexus's model, per format): criteria that are ANDed, and the checks that
// make one valid. Stored in the database, declared in wharf.yaml `cleanupPolicies:`, edited over REST.
import { formats } from '../formats/index.js';
import type { Problem } from '../repository/format.js';

export interface CleanupCriteria {
  /** Days since the component was last updated (pushed, a tag moved). */
  lastBlobUpdated?: number;
  /** Days since it was last downloaded (never downloaded: since it was last updated). */
  lastDownloaded?: number;
  /** true: only prereleases (1.0.0-rc1); false: only releases. */
  prerelease?: boolean;
  /** Regular expression that must match all of `name:version` (image:tag). */
  regex?: string;
  /** Keep the N most recently updated versions of each name whatever the other criteria say. */
  retain?: number;
}

export interface CleanupPolicy {
  name: string;
  format: string;
  notes: string;
  criteria: CleanupCriteria;
}

export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Problems of a policy, keyed by field (empty when valid). */
export function checkPolicy(policy: CleanupPolicy): Problem[] {
  const problems: Problem[] = [];
  if (!POLICY_NAME.test(policy.name)) problems.push({ key: 'name', reason: 'letters, digits, . _ - (not first), at most 200' });
  if (!formats[policy.format]) problems.push({ key: 'format', reason: `unknown format ${policy.format} (known: ${Object.keys(formats).join(', ')})` });
  const c = policy.criteria;
  for (const key of ['lastBlobUpdated', 'lastDownloaded', 'retain'] as const) {
    const v = c[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) problems.push({ key: `criteria.${key}`, reason: 'must be an integer of at least 1' });
  }
  if (c.regex !== undefined) {
    try {
      new RegExp(c.regex);
    } catch (e) {
      problems.push({ key: 'criteria.regex', reason: `not a regular expression: ${(e as Error).message}` });
    }
  }
  if (![c.lastBlobUpdated, c.lastDownloaded, c.prerelease, c.regex, c.retain].some((v) => v !== undefined)) {
    problems.push({ key: 'criteria', reason: 'at least one criterion is needed (a policy without any would delete everything)' });
  }
  return problems;
}

/** Semantic-version prereleases (1.2.3-rc.1) and the usual words; a format may say otherwise. */
export function isPrerelease(version: string): boolean {
  return /^v?\d+(\.\d+)*-[0-9A-Za-z.-]+$/.test(version) || /(alpha|beta|rc|snapshot|dev|pre)/i.test(version);
}
