import { HasfError } from '../errors/index.ts';

/** True when this process runs as root (the lab creates namespaces and mounts). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Throws LAB_NEEDS_ROOT unless running as root. */
export function requireRoot(): void {
  if (!isRoot()) {
    throw new HasfError(
      'LAB_NEEDS_ROOT',
      'The lab needs root (it creates network namespaces, mounts and daemons); run it as root, e.g. with sudo.',
    );
  }
}
