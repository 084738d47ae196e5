#!/bin/bash
# Boots one lab machine. Runs as pid 1 of the machine's own pid namespace, inside its
# network namespace and a private mount/UTS/IPC namespace (see src/lab/node.ts), so
# everything mounted here is the machine's alone and vanishes when it is powered off.
# Usage: boot.sh MACHINE_DIR   (MACHINE_DIR/machine.env says who we are)
set -euo pipefail
source "$1/machine.env"
cd /
log() { echo "$(date +%T.%3N) boot $LAB_NAME: $*"; }

hostname "$LAB_NAME"

# A fresh /run and /dev/shm at every boot, like a real machine: corosync's pid file,
# /run/crm, libqb's IPC buffers and the resource agents' state live there.
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount --bind "$LAB_HOSTS" /etc/hosts
# A home of its own for root, as on a real node: the host's ~/.bashrc (pyenv rehash locks,
# prompts, …) must not run in every SSH session the service opens.
mount -t tmpfs -o mode=0700 tmpfs /root
mkdir -p /run/sshd /run/lock
chmod 0755 /run/sshd

start_sshd() {
  /usr/sbin/sshd -D -f "$LAB_MACHINE_DIR/sshd_config" -E "$LAB_MACHINE_DIR/log/sshd.log" &
}

boot_node() {
  # The node's "disk": persistent across reboots of this lab, private to this node.
  local d="$LAB_MACHINE_DIR/disk"
  mount --bind "$d/var/lib/pacemaker" /var/lib/pacemaker
  mount --bind "$d/var/lib/corosync" /var/lib/corosync
  mount --bind "$LAB_MACHINE_DIR/log/pacemaker" /var/log/pacemaker
  mount --bind "$LAB_MACHINE_DIR/log/corosync" /var/log/corosync
  mount --bind "$LAB_COROSYNC_DIR" /etc/corosync
  install -d -o hacluster -g haclient -m 0750 /run/crm
  # Pacemaker runs fence agents only from /usr/sbin, and OCF agents from
  # /usr/lib/ocf/resource.d: read-only overlays add the lab's agents on this node only.
  mount -t overlay overlay -o "lowerdir=$LAB_SBIN_OVERLAY:/usr/sbin" /usr/sbin
  mount -t overlay overlay -o "lowerdir=$LAB_OCF_OVERLAY:/usr/lib/ocf/resource.d" /usr/lib/ocf/resource.d

  start_sshd
  log "starting corosync"
  /usr/sbin/corosync -f &
  local i
  for i in $(seq 1 300); do
    corosync-cfgtool -s >/dev/null 2>&1 && break
    sleep 0.1
  done
  log "starting pacemakerd"
  PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none /usr/sbin/pacemakerd &
}

boot_storage() {
  mount --bind "$LAB_MACHINE_DIR/etc-tgt" /etc/tgt
  start_sshd
  log "starting tgtd"
  /usr/sbin/tgtd -f &
  local i
  for i in $(seq 1 100); do
    tgtadm --lld iscsi --mode system --op show >/dev/null 2>&1 && break
    sleep 0.1
  done
  # The target (and any LUN persisted in /etc/tgt/conf.d) comes from the config.
  tgt-admin --execute >/dev/null
  log "target ready"
}

case "$LAB_ROLE" in
  node) boot_node ;;
  storage) boot_storage ;;
  *) log "unknown role $LAB_ROLE"; exit 2 ;;
esac
log "up"
# Who this machine is, for the lab's own tools in it (hasf-lab-reboot).
printf 'LAB_DIR=%q\nLAB_NAME=%q\n' "$LAB_DIR" "$LAB_NAME" > /run/hasf-lab.env
# A fresh boot id per power-on (the machines share the host's kernel and its boot_id):
# cluster.rolling reads it to know a node really rebooted.
cat /proc/sys/kernel/random/uuid > /run/hasf-boot-id
echo up > /run/lab-booted
# As pid 1 of the machine, reap orphans until powered off.
while true; do wait || true; sleep 1; done
