// A plan saved with plan --format json, read back: apply applies it exactly, plan renders it
// in another format. Refused when it is not one, or was changed after it was made.

import type { RepoFiles } from '../base/repo-files.js';
import { clip } from '../base/quote.js';
import { MailrecError, StalePlanError } from '../base/errors.js';
import { checkPlanChecksum, PLAN_VERSION, type Plan } from '../plan/plan.js';

export function readPlanFile(files: RepoFiles, name: string): Plan {
  const file = files.show(files.allowNamed(name));
  let plan: Plan;
  const text = files.read(name, 'plan');
  try {
    plan = JSON.parse(text) as Plan;
  } catch (err) {
    throw new MailrecError(`cannot read plan file ${file}: not JSON (${clip((err as Error).message)})`, 'write one with mailrec plan --format json > plan.json');
  }
  if (plan?.version !== PLAN_VERSION || !Array.isArray(plan.zones))
    throw new MailrecError(`${file} is not a mailrec plan (version ${PLAN_VERSION})`);
  if (!checkPlanChecksum(plan))
    throw new StalePlanError(`${file} was modified after it was made (checksum mismatch); nothing was written`, 'run mailrec plan again');
  // The summary plan --format json adds is rendered again from the changes.
  const { summary: _summary, ...saved } = plan as Plan & { summary?: unknown };
  return saved;
}
