import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HasfError } from '../errors/index.ts';

/** Actions the lab's power switch understands (the fence agent's, plus `monitor` and `list`). */
export type PowerAction = 'on' | 'off' | 'reboot' | 'status' | 'monitor' | 'list';

/**
 * Asks the power switch whose spool is `spool` to do `action` (to `machine`) and returns
 * its answer lines ("ok", "on", "off", …). The same file protocol as the fence agent:
 * write ID.req atomically, wait for ID.res. Throws LAB_FAILED on "error …" or timeout.
 */
export async function askPowerSwitch(
  spool: string,
  action: PowerAction,
  machine = '',
  timeoutMs = 60_000,
): Promise<string[]> {
  const id = `host-${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const req = join(spool, `${id}.req`);
  const res = join(spool, `${id}.res`);
  writeFileSync(join(spool, `${id}.tmp`), `action=${action}\nnode=${machine}\nfrom=host\n`);
  renameSync(join(spool, `${id}.tmp`), req);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(res)) {
    if (Date.now() > deadline) {
      rmSync(req, { force: true });
      throw new HasfError(
        'LAB_FAILED',
        `The lab power switch did not answer "${action} ${machine}" within ${timeoutMs} ms; see ${join(spool, '..', 'switch.log')}.`,
        { action, machine },
      );
    }
    await sleep(50);
  }
  const lines = readFileSync(res, 'utf8').trim().split('\n');
  rmSync(res, { force: true });
  if (lines[0]?.startsWith('error')) {
    throw new HasfError(
      'LAB_FAILED',
      `The lab power switch refused "${action} ${machine}": ${lines[0].slice(6)}.`,
      { action, machine },
    );
  }
  return lines;
}
