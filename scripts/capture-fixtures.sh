#!/bin/sh
# Regenerate the Pacemaker fixtures under test/fixtures/pacemaker/<version>/ from the seed
# CIBs in test/fixtures/pacemaker/seeds/, with the real tools installed on this machine
# (crm_simulate, crm_resource, crm_attribute, crm_mon, cibadmin). No cluster is needed:
# every tool works on a CIB file through CIB_file=. Each shape is the healthy cluster
# after crm_simulate brought its nodes up, plus one change made with the real tool.
#
# Usage: scripts/capture-fixtures.sh [OUTDIR]   (default: test/fixtures/pacemaker/<version>)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
seeds="$here/test/fixtures/pacemaker/seeds"
version=$(crm_mon --version | sed -n 's/^Pacemaker \([0-9.]*\).*/\1/p' | head -n 1)
[ -n "$version" ] || { echo "cannot tell the Pacemaker version from crm_mon --version" >&2; exit 1; }
out=${1:-"$here/test/fixtures/pacemaker/$version"}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Times in the captured files are pinned so that re-running the script gives a stable diff.
when="2026-11-25T12:00:00Z"

# healthy: three nodes up, all resources started by the scheduler.
crm_simulate -x "$seeds/healthy.xml" -t "$when" -u node1 -u node2 -u node3 -S -O "$work/healthy.xml" -Q >/dev/null

# standby: node3 put in standby with crm_attribute, then the transition run to its end.
cp "$work/healthy.xml" "$work/standby.xml"
CIB_file="$work/standby.xml" crm_attribute --node node3 --name standby --update on --lifetime forever
crm_simulate -x "$work/standby.xml" -t "$when" -S -O "$work/standby.xml" -Q >/dev/null

# unclean: node3 failed (lost from the membership) and not fenced yet.
crm_simulate -x "$work/healthy.xml" -t "$when" -f node3 -R -I "$work/unclean.xml" -Q >/dev/null

# failed: vm2's monitor on node3 returned an error (fail-count 1), not yet recovered.
crm_simulate -x "$work/healthy.xml" -t "$when" -i vm2_monitor_10000@node3=1 -R -I "$work/failed.xml" -Q >/dev/null

# leftovers: a move and a ban left behind (cli-prefer-vm1, cli-ban-vm3-on-node1), settled.
cp "$work/healthy.xml" "$work/leftovers.xml"
CIB_file="$work/leftovers.xml" crm_resource --move --resource vm1 --node node3 >/dev/null
CIB_file="$work/leftovers.xml" crm_resource --ban --resource vm3 --node node1 >/dev/null 2>&1
crm_simulate -x "$work/leftovers.xml" -t "$when" -S -O "$work/leftovers.xml" -Q >/dev/null

# noquorum: node2 and node3 failed; node1 alone has no quorum (no-quorum-policy=stop).
crm_simulate -x "$work/healthy.xml" -t "$when" -f node2 -f node3 -q 0 -R -I "$work/noquorum.xml" -Q >/dev/null
CIB_file="$work/noquorum.xml" cibadmin --modify --xml-text '<cib have-quorum="0"/>'

# maintenance: cluster-wide maintenance-mode, and node2 in node maintenance.
cp "$work/healthy.xml" "$work/maintenance.xml"
CIB_file="$work/maintenance.xml" crm_attribute --type crm_config --name maintenance-mode --update true
CIB_file="$work/maintenance.xml" crm_attribute --node node2 --name maintenance --update on --lifetime forever

# shapes: what Pacemaker's own corpus has and the lab doesn't (seeds/shapes.xml): a remote
# node, a guest node in a VM, a podman bundle of two replicas, a promotable clone, a group of
# templates, a tag, a granted ticket. crm_simulate records remote and guest nodes as cluster
# nodes; they are put right (node type, node_state remote_node/in_ccm) as a real cluster
# records them, then settled. (A failure injected with -i -I here makes crm_mon read the guest as down:
# failed actions are the "failed" shape's.)
crm_simulate -x "$seeds/shapes.xml" -t "$when" -u node1 -u node2 -u node3 -g ticket-site-a -S -O "$work/shapes-1.xml" -Q >/dev/null 2>&1
CIB_file="$work/shapes-1.xml" cibadmin --modify --scope nodes --xml-text '<node id="remote1" type="remote"/>'
for n in guest1 web-bundle-0 web-bundle-1; do CIB_file="$work/shapes-1.xml" cibadmin --delete --xml-text "<node id=\"$n\"/>"; done
for n in remote1 guest1 web-bundle-0 web-bundle-1; do
  CIB_file="$work/shapes-1.xml" cibadmin --modify --scope status --xml-text "<node_state id=\"$n\" remote_node=\"true\" in_ccm=\"true\"/>"
done
crm_simulate -x "$work/shapes-1.xml" -t "$when" -S -O "$work/shapes-2.xml" -Q >/dev/null
crm_simulate -x "$work/shapes-2.xml" -t "$when" -S -O "$work/shapes-3.xml" -Q >/dev/null
cp "$work/shapes-3.xml" "$work/shapes.xml"

for shape in healthy standby unclean failed leftovers noquorum maintenance shapes; do
  f="$work/$shape.xml"
  CIB_file="$f" crm_mon --output-as=xml >"$out/$shape.crm_mon.xml"
  CIB_file="$f" crm_mon -1 --as-xml >"$out/$shape.crm_mon-as-xml.xml"
  CIB_file="$f" cibadmin -Q >"$out/$shape.cib.xml"
done

# A transition prediction, as the driver reads it: move vm1 to node3 on the healthy cluster.
cp "$work/healthy.xml" "$work/move.xml"
CIB_file="$work/move.xml" crm_resource --move --resource vm1 --node node3 >/dev/null
crm_simulate -x "$work/move.xml" -t "$when" -S -O "$work/move-out.xml" --output-as=xml \
  | sed "s#$work/##g" >"$out/move-vm1.simulate.xml"
crm_simulate -x "$work/move.xml" -t "$when" -S -O "$work/move-out.xml" \
  | sed "s#$work/##g" >"$out/move-vm1.simulate.txt"
crm_simulate -x "$work/healthy.xml" -t "$when" -f node2 -S -O "$work/fence-out.xml" --output-as=xml \
  | sed "s#$work/##g" >"$out/fail-node2.simulate.xml"
crm_simulate -x "$work/healthy.xml" -t "$when" -f node2 -S -O "$work/fence-out.xml" \
  | sed "s#$work/##g" >"$out/fail-node2.simulate.txt"

echo "captured $(ls "$out" | wc -l) files into $out"
