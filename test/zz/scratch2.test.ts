import { it } from 'vitest';
import { startDovecot } from '../../harness/dovecot.js';
it('timing', async () => {
  const d = await startDovecot();
  try {
    let t = Date.now();
    const restore = await d.failAuthTemporarily();
    console.log('fail took', Date.now() - t); t = Date.now();
    try { await (await d.connect()).logout(); } catch (e) { console.log('err', (e as any).serverResponseCode, Date.now() - t); }
    t = Date.now();
    await restore();
    console.log('restore took', Date.now() - t);
    console.log(d.logs().split('\n').slice(-25).join('\n'));
  } finally { await d.stop(); }
}, 60000);
