#!/usr/bin/env bash
# The Slurm recipe (installer/cluster/redub-array.sbatch) on a real single-node cluster that
# this test starts itself: its own munged, slurmctld and slurmd (Debian's slurm-wlm, as root,
# in a scratch folder, on free ports), torn down at the end.
#   1. An array of 3 dub jobs; task 1 (the long one) is scancel'ed while it writes: tasks 0 and 2
#      finish and probe correctly, task 1 leaves neither an output nor a partial file.
#   2. The same array submitted again resumes: 0 and 2 are skipped (untouched), 1 is dubbed;
#      all 3 outputs probe correctly.
# usage: slurm_batch.sh REPO REDUB_CLI        exit 77 (skipped) when not root
set -euo pipefail
repo=$(cd "$1" && pwd)
cli=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ "$(id -u)" = 0 ] || { echo "skipped: the test cluster's daemons run as root"; exit 77; }
for p in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch; do  # deb:slurm-wlm deb:munge
  [ -x "$p" ] || { echo "FAIL $p is missing: install the Debian package slurm-wlm"; exit 1; }
done

d=$(mktemp -d /tmp/redub-slurm.XXXXXX)
export SLURM_CONF=$d/slurm.conf
cleanup() {
  scancel --quiet --full "$(cat "$d/jobid" 2>/dev/null || echo 0)" 2>/dev/null || true
  for pid in slurmd slurmctld munged; do
    [ -f "$d/$pid.pid" ] && kill "$(cat "$d/$pid.pid")" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$d"
}
trap cleanup EXIT
fail() { echo "FAIL $*"; for f in "$d"/*.log "$d"/out/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done; exit 1; }

# A private munge key and daemon, and a one-node cluster on free ports.
mkdir -p "$d/state" "$d/spool" "$d/out"
head -c 1024 /dev/urandom > "$d/munge.key"
chmod 600 "$d/munge.key"
/usr/sbin/munged --force --key-file="$d/munge.key" --socket="$d/munge.socket" --log-file="$d/munged.log" \
  --pid-file="$d/munged.pid" --seed-file="$d/munged.seed"
read -r port1 port2 < <(/usr/bin/python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
cat > "$SLURM_CONF" <<EOF
ClusterName=redubtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port1
SlurmdPort=$port2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge.socket
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=redub Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
/usr/sbin/slurmctld -f "$SLURM_CONF" -i
/usr/sbin/slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %t | grep -q idle || fail "the test cluster did not come up"
echo "cluster up: $(sinfo -h -o '%P %D %t %N')"

# Three jobs on the bundled sample: 0 and 2 re-sync one second, 1 the whole clip at many steps.
sample=$repo/resources/sample
cat > "$d/jobs.json" <<EOF
{"jobs": [
  {"video": "$sample/talking-face.mp4", "audio": "$sample/new-speech.wav", "output": "out/a.mp4", "steps": 2, "range": ["0-1"], "threads": 1},
  {"video": "$sample/talking-face.mp4", "audio": "$sample/new-speech.wav", "output": "out/b.mp4", "steps": 12, "threads": 1},
  {"video": "$sample/talking-face.mp4", "audio": "$sample/new-speech.wav", "output": "out/c.mp4", "steps": 2, "range": ["2-3"], "threads": 1}
]}
EOF
n=$("$cli" batch "$d/jobs.json" --count)
[ "$n" = 3 ] || fail "batch --count said '$n'"

# Waits until the array has left the queue.
# REDUB_SLURM_WAIT_S: how long an array may stay queued (default 300 s; an instrumented
# build, e.g. ASan, needs longer).
wait_s=${REDUB_SLURM_WAIT_S:-300}
wait_array() {
  for _ in $(seq "$wait_s"); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 1
  done
  fail "array $1 still queued after $wait_s s"
}
submit() {
  REDUB_CLI=$cli sbatch --parsable --array=0-$((n - 1)) --cpus-per-task=1 -D "$d" -o "$d/out/task-%A_%a.log" \
    "$repo/installer/cluster/redub-array.sbatch" "$d/jobs.json" | tee "$d/jobid"
}
probe_ok() {
  local frames
  frames=$("$cli" probe --json "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["video"]["frame_count"])') ||
    fail "$1 does not probe"
  [ "$frames" = 138 ] || fail "$1 has $frames frames, not 138"
}

# 1. Kill task 1 while it writes its output.
job=$(submit)
for _ in $(seq 240); do [ -f "$d/out/b.mp4.partial" ] && break; sleep 0.5; done
[ -f "$d/out/b.mp4.partial" ] || fail "task 1 never started writing"
scancel "${job}_1"
wait_array "$job"
probe_ok "$d/out/a.mp4"
probe_ok "$d/out/c.mp4"
[ ! -e "$d/out/b.mp4" ] || fail "the cancelled task left out/b.mp4"
ls "$d/out" | grep -q partial && fail "a partial file is left: $(ls "$d/out")"
grep -q cancelled "$d/out/task-${job}_1.log" || fail "task 1's log does not say it was cancelled"
echo "killed task 1: tasks 0 and 2 wrote their outputs, task 1 left nothing"
a_time=$(stat -c %Y "$d/out/a.mp4")

# 2. Resubmit: 0 and 2 are skipped, 1 is dubbed.
job=$(submit)
wait_array "$job"
for f in a b c; do probe_ok "$d/out/$f.mp4"; done
grep -q "already there" "$d/out/task-${job}_0.log" || fail "task 0 did not skip its finished output"
[ "$(stat -c %Y "$d/out/a.mp4")" = "$a_time" ] || fail "the finished out/a.mp4 was written again"
echo "resubmitted: 3 outputs, 138 frames each, through slurmctld $(sinfo -V)"
