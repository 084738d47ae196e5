import { join } from 'node:path';
import { LAB_CLUSTER, type LabLayout, type LabMachine } from './layout.ts';

/** Text of the config files each lab machine boots with; pure functions, nothing written here. */

/**
 * corosync.conf: knet with crypto, votequorum, log to a file. Each `node {` block spans
 * several lines because corosync 3.1 rejects a one-line block ("Extra characters after
 * opening bracket").
 */
export function corosyncConf(layout: LabLayout, tokenMs: number): string {
  const nodes = layout.nodes
    .map(
      (n, i) => `    node {
        name: ${n.name}
        nodeid: ${i + 1}
        ring0_addr: ${n.address}
    }`,
    )
    .join('\n');
  return `# Written by the HASF lab; regenerated on every lab up.
totem {
    version: 2
    cluster_name: ${LAB_CLUSTER}
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
    token: ${tokenMs}
}

nodelist {
${nodes}
}

quorum {
    provider: corosync_votequorum
}

logging {
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_stderr: no
    to_syslog: no
    timestamp: on
}
`;
}

/** /etc/hosts of every lab machine: names for all of them. */
export function hostsFile(layout: LabLayout): string {
  return [
    '127.0.0.1 localhost',
    '::1 localhost ip6-localhost ip6-loopback',
    ...layout.machines.map((m) => `${m.address} ${m.name}`),
    '',
  ].join('\n');
}

/**
 * sshd_config of one machine: its own host key, listening on its own address only, root
 * by key only. StrictModes is off because the lab dir may sit below a group-writable dir
 * (such as /tmp) and the keys are ours anyway.
 */
export function sshdConfig(layout: LabLayout, m: LabMachine): string {
  return `# Written by the HASF lab.
ListenAddress ${m.address}
Port 22
HostKey ${join(m.dir, 'ssh_host_ed25519_key')}
PidFile /run/sshd.pid
AuthorizedKeysFile ${layout.authorizedKeysFile}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
# Workers pool connections and tests open many at once.
MaxStartups 100:30:200
MaxSessions 64
Subsystem sftp /usr/lib/openssh/sftp-server
`;
}

/** Variables the boot script sources (bash syntax; all values are plain words or paths). */
export function machineEnv(layout: LabLayout, m: LabMachine): string {
  const vars: Record<string, string> = {
    LAB_DIR: layout.dir,
    LAB_NAME: m.name,
    LAB_ROLE: m.role,
    LAB_ADDRESS: m.address,
    LAB_MACHINE_DIR: m.dir,
    LAB_SBIN_OVERLAY: layout.sbinOverlay,
    LAB_OCF_OVERLAY: layout.ocfOverlay,
    LAB_COROSYNC_DIR: layout.corosyncDir,
    LAB_HOSTS: join(layout.dir, 'hosts'),
    LAB_IQN: layout.iqn,
  };
  return Object.entries(vars)
    .map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`)
    .join('\n')
    .concat('\n');
}

/** tgt's config on store1 (bind-mounted over /etc/tgt) so `tgt-admin` persistence lands in the lab dir. */
export function tgtTargetsConf(): string {
  return '# Written by the HASF lab.\ninclude /etc/tgt/conf.d/*.conf\n';
}

/** The target definition store1 starts with: one target, open to all initiators, no LUNs yet. */
export function tgtLabTargetConf(iqn: string): string {
  return `# The lab's iSCSI target; lun.add appends backing-store lines here.
<target ${iqn}>
    initiator-address ALL
</target>
`;
}
