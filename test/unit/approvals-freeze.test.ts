import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activeFreeze,
  checkFreeze,
  freezeEnd,
  freezeSchema,
  wallClock,
  zonedToInstant,
} from '../../src/approvals/index.ts';

const weekend = freezeSchema.parse({
  name: 'weekend',
  zone: 'Europe/Berlin',
  weekly: 'Fri 18:00 – Mon 06:00',
});
const Z = (s: string) => new Date(s);
const on = (f: typeof weekend, iso: string, op = 'node.fence') =>
  activeFreeze([f], op, Z(iso))?.name;

test('zone conversion: wall clock and back, across both Berlin DST changes', () => {
  assert.deepEqual(wallClock(Z('2024-03-31T00:59:00Z'), 'Europe/Berlin'), {
    year: 2024,
    month: 3,
    day: 31,
    hour: 1,
    minute: 59,
    second: 0,
    weekday: 6,
  });
  assert.equal(
    wallClock(Z('2024-03-31T01:00:00Z'), 'Europe/Berlin').hour,
    3,
    'spring forward 02:00 → 03:00',
  );
  assert.equal(
    wallClock(Z('2024-01-01T00:00:00Z'), 'Europe/Berlin').hour,
    1,
    'midnight is 0, not 24',
  );
  assert.equal(
    zonedToInstant(
      { year: 2024, month: 3, day: 31, hour: 3, minute: 0 },
      'Europe/Berlin',
    ).toISOString(),
    '2024-03-31T01:00:00.000Z',
  );
  assert.equal(
    zonedToInstant(
      { year: 2024, month: 3, day: 31, hour: 2, minute: 30 },
      'Europe/Berlin',
    ).toISOString(),
    '2024-03-31T01:30:00.000Z',
    'gap: as a clock set forward',
  );
  assert.equal(
    zonedToInstant(
      { year: 2024, month: 10, day: 27, hour: 2, minute: 30 },
      'Europe/Berlin',
    ).toISOString(),
    '2024-10-27T00:30:00.000Z',
    'overlap: first occurrence',
  );
  assert.equal(
    zonedToInstant(
      { year: 2024, month: 10, day: 27, hour: 3, minute: 0 },
      'Europe/Berlin',
    ).toISOString(),
    '2024-10-27T02:00:00.000Z',
  );
  assert.equal(
    zonedToInstant(
      { year: 2024, month: 7, day: 1, hour: 12, minute: 0 },
      'America/New_York',
    ).toISOString(),
    '2024-07-01T16:00:00.000Z',
  );
});

test('weekly window wrapping over the week end, edges inclusive-exclusive (winter)', () => {
  assert.equal(on(weekend, '2024-01-12T16:59:00Z'), undefined, 'Fri 17:59 CET');
  assert.equal(on(weekend, '2024-01-12T17:00:00Z'), 'weekend', 'Fri 18:00 CET');
  assert.equal(on(weekend, '2024-01-14T12:00:00Z'), 'weekend', 'Sunday');
  assert.equal(on(weekend, '2024-01-15T04:59:00Z'), 'weekend', 'Mon 05:59 CET');
  assert.equal(on(weekend, '2024-01-15T05:00:00Z'), undefined, 'Mon 06:00 CET');
  assert.equal(on(weekend, '2024-01-17T12:00:00Z'), undefined, 'Wednesday');
});

test('weekly window across spring-forward: wall-clock edges move with the offset', () => {
  // Fri 2024-03-29 is CET (+1), Mon 2024-04-01 is CEST (+2).
  assert.equal(on(weekend, '2024-03-29T17:00:00Z'), 'weekend');
  assert.equal(on(weekend, '2024-04-01T03:59:00Z'), 'weekend', 'Mon 05:59 CEST');
  assert.equal(on(weekend, '2024-04-01T04:00:00Z'), undefined, 'Mon 06:00 CEST');
  assert.equal(
    on(weekend, '2024-04-01T04:30:00Z'),
    undefined,
    'would still be frozen with the Friday offset',
  );
  assert.equal(
    freezeEnd(weekend, Z('2024-03-29T17:00:00Z'))?.toISOString(),
    '2024-04-01T04:00:00.000Z',
    '59 real hours',
  );
  assert.equal(on(weekend, '2024-03-31T01:30:00Z'), 'weekend', 'inside the skipped hour');
});

test('weekly window across fall-back', () => {
  // Fri 2024-10-25 is CEST (+2), Mon 2024-10-28 is CET (+1).
  assert.equal(on(weekend, '2024-10-25T15:59:00Z'), undefined);
  assert.equal(on(weekend, '2024-10-25T16:00:00Z'), 'weekend', 'Fri 18:00 CEST');
  assert.equal(on(weekend, '2024-10-28T04:59:00Z'), 'weekend', 'Mon 05:59 CET');
  assert.equal(on(weekend, '2024-10-28T05:00:00Z'), undefined);
  assert.equal(
    freezeEnd(weekend, Z('2024-10-27T00:30:00Z'))?.toISOString(),
    '2024-10-28T05:00:00.000Z',
  );
});

test('the zone decides: the same instant in Berlin and New York', () => {
  const ny = freezeSchema.parse({
    name: 'ny',
    zone: 'America/New_York',
    weekly: { fromDay: 'fri', fromTime: '18:00', toDay: 'mon', toTime: '06:00' },
  });
  assert.equal(on(weekend, '2024-03-29T17:30:00Z'), 'weekend', 'Berlin 18:30');
  assert.equal(on(ny, '2024-03-29T17:30:00Z'), undefined, 'New York 13:30');
  assert.equal(on(ny, '2024-03-29T22:00:00Z'), 'ny', 'New York 18:00 EDT');
  assert.equal(on(ny, '2024-04-01T10:00:00Z'), undefined, 'New York Mon 06:00');
  assert.equal(on(ny, '2024-04-01T09:59:00Z'), 'ny');
});

test('same-day weekly window and week-boundary window', () => {
  const day = freezeSchema.parse({
    name: 'mon',
    zone: 'UTC',
    weekly: 'Monday 09:00 - Monday 17:00',
  });
  assert.equal(on(day, '2024-01-15T09:00:00Z'), 'mon');
  assert.equal(on(day, '2024-01-15T17:00:00Z'), undefined);
  assert.equal(on(day, '2024-01-16T10:00:00Z'), undefined);
  const night = freezeSchema.parse({ name: 'night', zone: 'UTC', weekly: 'sun 22:00 - mon 02:00' });
  assert.equal(on(night, '2024-01-14T23:00:00Z'), 'night');
  assert.equal(on(night, '2024-01-15T01:59:00Z'), 'night');
  assert.equal(on(night, '2024-01-15T02:00:00Z'), undefined);
  assert.equal(on(night, '2024-01-13T23:00:00Z'), undefined);
});

test('date range in a zone; a date-only end includes that day; absolute instants', () => {
  const yearEnd = freezeSchema.parse({
    name: 'year-end',
    zone: 'Europe/Berlin',
    from: '2024-12-20 18:00',
    to: '2025-01-06',
  });
  assert.equal(on(yearEnd, '2024-12-20T16:59:00Z'), undefined);
  assert.equal(on(yearEnd, '2024-12-20T17:00:00Z'), 'year-end');
  assert.equal(on(yearEnd, '2025-01-06T22:59:00Z'), 'year-end', 'Jan 6 23:59 Berlin');
  assert.equal(on(yearEnd, '2025-01-06T23:00:00Z'), undefined);
  const abs = freezeSchema.parse({
    name: 'abs',
    zone: 'UTC',
    from: '2024-06-01T00:00:00+02:00',
    to: '2024-06-02T00:00:00Z',
  });
  assert.equal(on(abs, '2024-05-31T22:00:00Z'), 'abs');
  assert.equal(on(abs, '2024-05-31T21:59:00Z'), undefined);
});

test('date range ending in the DST gap and the overlap', () => {
  const gap = freezeSchema.parse({
    name: 'g',
    zone: 'Europe/Berlin',
    from: '2024-03-30',
    to: '2024-03-31 02:30',
  });
  assert.equal(on(gap, '2024-03-31T01:29:00Z'), 'g');
  assert.equal(on(gap, '2024-03-31T01:30:00Z'), undefined, '03:30 CEST');
  const overlap = freezeSchema.parse({
    name: 'o',
    zone: 'Europe/Berlin',
    from: '2024-10-26',
    to: '2024-10-27 02:30',
  });
  assert.equal(on(overlap, '2024-10-27T00:29:00Z'), 'o');
  assert.equal(on(overlap, '2024-10-27T00:30:00Z'), undefined, 'first 02:30 ends it');
  assert.equal(
    on(overlap, '2024-10-27T01:15:00Z'),
    undefined,
    'the repeated hour does not re-freeze',
  );
});

test('operations and clusters a freeze covers; refusal and break-glass', () => {
  const prodOnly = freezeSchema.parse({
    name: 'p',
    zone: 'UTC',
    weekly: 'mon 00:00 - sun 23:59',
    clusters: ['prod'],
  });
  const sat = Z('2024-01-13T12:00:00Z');
  assert.equal(activeFreeze([prodOnly], 'vm.migrate', sat, 'prod')?.name, 'p');
  assert.equal(activeFreeze([prodOnly], 'vm.migrate', sat, 'dev'), undefined);
  assert.equal(
    activeFreeze([weekend], 'resource.cleanup', sat),
    undefined,
    'cleanup is not disruptive by default',
  );
  assert.equal(activeFreeze([weekend], 'cluster.status', sat), undefined);
  for (const op of ['vm.migrate', 'node.standby', 'node.online', 'node.fence', 'lun.add'])
    assert.equal(activeFreeze([weekend], op, sat)?.name, 'weekend', op);
  const all = freezeSchema.parse({
    name: 'all',
    zone: 'UTC',
    weekly: 'sat 00:00 - sun 00:00',
    operations: ['resource.cleanup'],
  });
  assert.equal(activeFreeze([all], 'resource.cleanup', sat)?.name, 'all');
  assert.equal(activeFreeze([all], 'vm.migrate', sat), undefined);

  assert.throws(
    () => checkFreeze([weekend], 'node.fence', sat),
    (e: { code?: string; details?: { until?: string } }) =>
      e.code === 'CHANGE_FREEZE' && e.details?.until === '2024-01-15T05:00:00.000Z',
  );
  assert.equal(checkFreeze([weekend], 'node.fence', sat, { emergency: true })?.name, 'weekend');
  assert.equal(checkFreeze([weekend], 'node.fence', Z('2024-01-17T12:00:00Z')), undefined);
});

test('freeze schema refuses bad zones, days, times and empty windows', () => {
  const bad = [
    { name: 'x', zone: 'Mars/Olympus', weekly: 'fri 18:00 - mon 06:00' },
    { name: 'x', zone: 'UTC', weekly: 'fry 18:00 - mon 06:00' },
    { name: 'x', zone: 'UTC', weekly: 'fri 24:00 - mon 06:00' },
    { name: 'x', zone: 'UTC', weekly: 'fri 18:00 - fri 18:00' },
    { name: 'x', zone: 'UTC', from: '2024-13-45', to: '2025-01-01' },
    { name: 'x', zone: 'UTC', from: '2025-01-02', to: '2025-01-01' },
    { name: 'x', zone: 'UTC', from: '2024-02-30 10:00', to: '2025-01-01' },
    { name: 'x', zone: 'UTC', from: '2024-02-01 25:00', to: '2025-01-01' },
    { name: 'x', zone: 'UTC', from: '2024-01-01', to: '2025-01-01', operations: ['node.fense'] },
  ];
  for (const b of bad) assert.equal(freezeSchema.safeParse(b).success, false, JSON.stringify(b));
});
