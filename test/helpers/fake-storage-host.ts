/**
 * The path resolution a storage host answers for the backing-store rules, for the unit
 * tests' stand-in hosts (IET and LIO can't run here: they need kernel modules). Their
 * paths hold no symlinks, so `readlink -f` prints a path as is; `lvs` lists the `/dev/VG/*`
 * block devices of the host. The rules themselves are tested against real hosts in
 * test/integration/storage-backing.test.ts.
 */
export function resolveAnswer(argv: string[], blockDevices: Iterable<string>): [number, string, string] | undefined {
  const [cmd, ...a] = argv;
  if (cmd === 'readlink' && a[0] === '-f' && a[1] === '--') return [0, `${a[2]}\n`, ''];
  if (cmd === 'lvs') {
    const vg = a.at(-1)!;
    const lvs = [...blockDevices].filter((p) => p.startsWith(`/dev/${vg}/`));
    return [0, lvs.map((p) => `  ${p}\n`).join(''), ''];
  }
  if (cmd === 'sh' && a[0] === '-c' && a[1]!.startsWith('for p; do readlink')) return [0, a.slice(3).map((p) => `${p}\n`).join(''), ''];
  return undefined;
}
