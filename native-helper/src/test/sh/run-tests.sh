#!/bin/bash
# Drives the real nsjunit-launch binary (needs root).
# Usage: run-tests.sh PATH/TO/nsjunit-launch [PATH/TO/nsjunit-launch-hooks]
# The second binary is the same launcher built with test hooks (make hooks), for the race tests;
# by default it is looked for in test/ next to the first.
# Each test prints "ok - name" or "not ok - name: why"; the last line is the summary.
set -u

LAUNCHER=$(readlink -f "${1:?usage: run-tests.sh PATH/TO/nsjunit-launch [PATH/TO/nsjunit-launch-hooks]}")
HOOKS=$(readlink -f "${2:-$(dirname "$LAUNCHER")/test/nsjunit-launch-hooks}")
T=$(mktemp -d /tmp/nsjunit-launch-test.XXXXXX)
# Marker processes carry this run's pid: other runs of this script on the machine (other
# checkouts) must neither find them nor kill them in their cleanup.
RUN=$$
# For runs as nobody: a 0755 copy of the launcher, and a private 0700 directory of nobody's.
U=$(mktemp -d /tmp/nsjunit-launch-user.XXXXXX)
CGROUP_DIR=""
PASSED=0
FAILED=0

# ---------------------------------------------------------------- helpers

# Exact command lines of processes this script starts on purpose (so cleanup can find leftovers).
MARKERS=()

# Host pids whose command line is exactly "$*" (NUL-separated args compared as words).
pids_with_cmdline() {
    local want="$* " f c
    for f in /proc/[0-9]*/cmdline; do
        c=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
        [[ $c == "$want" ]] && { f=${f#/proc/}; echo "${f%/cmdline}"; }
    done
}

cleanup() {
    local m p
    for m in "${MARKERS[@]}"; do
        for p in $(pids_with_cmdline $m); do kill -9 "$p" 2>/dev/null; done
    done
    [[ -n $CGROUP_DIR && -d $CGROUP_DIR ]] && rmdir "$CGROUP_DIR" 2>/dev/null
    rm -rf "$T" "$U"
}
trap cleanup EXIT
chmod 755 "$U" && cp "$LAUNCHER" "$U/nsjunit-launch" && chmod 755 "$U/nsjunit-launch"
mkdir -m 700 "$U/home" && chown 65534:65534 "$U/home"

ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - $1: $2"; FAILED=$((FAILED + 1)); }

# needs COMMAND WHY NAME: whether COMMAND is installed; if not, NAME fails saying "COMMAND WHY".
needs() {
    command -v "$1" >/dev/null && return
    not_ok "$3" "$1 $2"
    return 1
}

# capture COMMAND...: runs COMMAND with stdin from /dev/null (so the launcher's parent watch is
# off), leaving OUT, ERR and RC.
capture() {
    "$@" </dev/null >"$T/out" 2>"$T/err"
    RC=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
}

# run ARGS...: runs the launcher (as root), leaving OUT, ERR and RC.
run() {
    capture "$LAUNCHER" "$@"
}

# expect NAME CONDITION-DESCRIPTION -- evaluated by the caller: check "$name" "[[ ... ]]" "why"
check() {
    local name=$1 cond=$2 why=$3
    if eval "$cond"; then ok "$name"; else not_ok "$name" "$why (rc=$RC out='${OUT:0:300}' err='${ERR:0:300}')"; fi
}

# Runs what follows as uid/gid 65534 without groups and so without capabilities (setpriv is in util-linux).
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# nobody_run BINARY ARGS...: runs BINARY as nobody, leaving OUT, ERR and RC.
nobody_run() {
    capture "${NOBODY[@]}" "$@"
}

# as_nobody ARGS...: runs the launcher's copy $U/nsjunit-launch as nobody, leaving OUT, ERR and RC.
# $U/home is that user's own private directory (0700).
as_nobody() {
    nobody_run "$U/nsjunit-launch" "$@"
}

# special_copy NAME MODE: prints the path of a new copy of the launcher with MODE (4755: setuid) in
# $U/NAME, where nobody can run it.
special_copy() {
    local dir="$U/$1"
    mkdir -m 755 "$dir" && cp "$LAUNCHER" "$dir/nsjunit-launch" && chmod "$2" "$dir/nsjunit-launch" &&
        echo "$dir/nsjunit-launch"
}

# wait_for COND [TENTHS]: polls a bash condition, default 2 s.
wait_for() {
    local cond=$1 tries=${2:-20}
    while ((tries-- > 0)); do
        eval "$cond" && return 0
        sleep 0.1
    done
    eval "$cond"
}

# ---------------------------------------------------------------- tests

test_binary_is_static() {
    local name="the launcher binary is statically linked"
    if command -v readelf >/dev/null; then
        RC=0 OUT=$(readelf -l "$LAUNCHER" 2>&1) ERR=""
        check "$name" '[[ $OUT == *LOAD* && $OUT != *INTERP* ]]' "readelf shows a PT_INTERP (dynamic) or no program headers"
    else
        RC=0 OUT=$(ldd "$LAUNCHER" 2>&1) ERR=""
        check "$name" '[[ $OUT == *"not a dynamic executable"* ]]' "ldd lists libraries"
    fi
}

test_version() {
    run --version
    check "--version prints the version" '[[ $RC == 0 && $OUT == "nsjunit-launch "[0-9]* ]]' "unexpected output"
}

test_program_is_pid_2_and_init_is_pid_1() {
    run --pid -- /bin/sh -c 'echo $$; tr "\0" " " </proc/1/cmdline'
    local pid=${OUT%%$'\n'*} init=${OUT#*$'\n'}
    check "with --pid PROGRAM is PID 2 and the launcher's init is PID 1" \
        '[[ $RC == 0 && $pid == 2 && $init == "$LAUNCHER --pid -- /bin/sh -c "* ]]' "expected pid 2 and /proc/1/cmdline naming the launcher"
}

test_proc_lists_only_sandbox_pids() {
    # Globbing is a shell builtin, so no extra processes show up.
    run --pid -- /bin/sh -c 'for d in /proc/[0-9]*; do echo ${d#/proc/}; done'
    check "with --pid /proc lists only the sandbox's processes" '[[ $RC == 0 && $(echo $OUT) == "1 2" ]]' "expected exactly pids 1 and 2"
}

test_background_process_dies_with_sandbox() {
    MARKERS+=("sleep 1000.123$RUN")
    run --pid -- /bin/sh -c "sleep 1000.123$RUN & sleep 0.3; echo started"
    local left
    left=$(pids_with_cmdline sleep 1000.123$RUN)
    check "a background process left by PROGRAM is killed when the sandbox ends" \
        '[[ $RC == 0 && $OUT == started && -z $left ]]' "leftover host pids: '$left'"
}

test_exit_code_passes_through() {
    local st="$T/status-exit" rc_pid rc_nopid st_pid
    run --pid --status-file "$st" -- /bin/sh -c 'exit 3'
    rc_pid=$RC st_pid=$(cat "$st" 2>/dev/null)
    run --status-file "$st" -- /bin/sh -c 'exit 4'
    rc_nopid=$RC
    check "PROGRAM's exit code and 'exit N' status pass through (with and without --pid)" \
        '[[ $rc_pid == 3 && $st_pid == "exit 3" && $rc_nopid == 4 && $(cat "$st") == "exit 4" && ! -e $st.tmp ]]' \
        "got $rc_pid/'$st_pid' and $rc_nopid/'$(cat "$st" 2>/dev/null)'"
}

test_killed_by_signal() {
    local st="$T/status-signal"
    run --pid --status-file "$st" -- /bin/sh -c 'kill -9 $$'
    check "PROGRAM killed by SIGKILL gives 137 and 'signal 9 SIGKILL'" \
        '[[ $RC == 137 && $(cat "$st") == "signal 9 SIGKILL" ]]' "status '$(cat "$st" 2>/dev/null)'"
}

test_sigterm_reaches_program() {
    local ready="$T/term-ready" got="$T/term-got" lpid
    "$LAUNCHER" --pid -- /bin/sh -c "trap 'echo got-term >$got; exit 0' TERM; echo >$ready; while :; do sleep 0.1; done" \
        </dev/null >/dev/null 2>&1 &
    lpid=$!
    wait_for '[[ -e $ready ]]' 50
    kill -TERM "$lpid"
    wait_for '! kill -0 $lpid 2>/dev/null' 50
    kill -9 "$lpid" 2>/dev/null
    wait "$lpid"
    RC=$? OUT=$(cat "$got" 2>/dev/null) ERR=""
    check "SIGTERM sent to the launcher reaches PROGRAM (through init)" '[[ $RC == 0 && $OUT == got-term ]]' "PROGRAM's trap did not run"
}

test_parent_death_kills_sandbox() {
    local fifo="$T/parent-pipe" st="$T/status-parent" lpid before after
    MARKERS+=("sleep 1000.456$RUN")
    mkfifo "$fifo"
    # The launcher's stdin is the read end; this shell holds the only write end on fd 8.
    "$LAUNCHER" --pid --status-file "$st" -- /bin/sh -c "sleep 1000.456$RUN" <"$fifo" >/dev/null 2>&1 &
    lpid=$!
    exec 8>"$fifo"
    wait_for '[[ -n $(pids_with_cmdline sleep 1000.456$RUN) ]]' 30
    before=$(pids_with_cmdline sleep 1000.456$RUN)
    exec 8>&-
    wait_for '[[ -z $(pids_with_cmdline sleep 1000.456$RUN) ]] && ! kill -0 $lpid 2>/dev/null' 20
    after=$(pids_with_cmdline sleep 1000.456$RUN)
    kill -9 "$lpid" 2>/dev/null # only if the test is failing: never hang
    wait "$lpid"
    RC=$? OUT=$(cat "$st" 2>/dev/null) ERR=""
    check "closing the launcher's stdin pipe (parent gone) kills the sandbox within 2 s" \
        '[[ -n $before && -z $after && $OUT == parent-gone ]]' "sandbox pid before '$before', after '$after'"
}

test_hostname() {
    run --uts --hostname nsjunit-box -- cat /proc/sys/kernel/hostname
    check "--uts --hostname sets the hostname only inside" \
        '[[ $RC == 0 && $OUT == nsjunit-box && $(cat /proc/sys/kernel/hostname) != nsjunit-box ]]' "wrong hostname"
}

test_loopback_up_and_alone() {
    run --net -- /bin/sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; readlink /proc/self/ns/net; ip -o link show lo'
    local devs=${OUT%%$'\n'*} host_ns
    host_ns=$(readlink /proc/self/ns/net)
    check "--net gives a new network namespace with only 'lo', and it is up" \
        '[[ $RC == 0 && $devs == lo && $OUT == *"<LOOPBACK,UP"* && $OUT == *net:* && $OUT != *"$host_ns"* ]]' "expected a new netns with one device lo, UP"
}

test_ipc_namespace() {
    run --ipc -- readlink /proc/self/ns/ipc
    check "--ipc gives a new IPC namespace" '[[ $RC == 0 && $OUT == ipc:* && $OUT != "$(readlink /proc/self/ns/ipc)" ]]' "same ipc namespace as the host"
}

test_time_namespace_boottime_offset() {
    run --time --boottime-offset 86400 -- cat /proc/uptime
    local up=${OUT%%.*}
    check "--time --boottime-offset 86400 moves uptime by a day" \
        '[[ $RC == 0 && $up -ge 86400 && $(cut -d. -f1 /proc/uptime) -lt $up ]]' "uptime inside '$OUT'"
}

test_cgroupns_and_readonly_cgroupfs() {
    run --pid --cgroupns --mount-cgroupfs -- /bin/sh -c \
        'cut -d: -f3 /proc/self/cgroup | sort -u; grep " /sys/fs/cgroup/memory " /proc/self/mountinfo; mkdir /sys/fs/cgroup/memory/x 2>&1'
    local paths=${OUT%%$'\n'*}
    check "--cgroupns --mount-cgroupfs shows '/' cgroups and a read-only memory cgroupfs" \
        '[[ $RC != 0 && $paths == / && $OUT == *"/sys/fs/cgroup/memory ro,"*" - cgroup cgroup "*memory* && $OUT == *"Read-only file system"* ]]' \
        "unexpected cgroup view"
    # The host's view is untouched.
    if grep -q ' /sys/fs/cgroup/memory rw' /proc/self/mountinfo; then ok "--mount-cgroupfs leaves the host's cgroup mounts alone"
    else not_ok "--mount-cgroupfs leaves the host's cgroup mounts alone" "host memory cgroup no longer rw"; fi
}

test_cgroup_join() {
    local name="--cgroup DIR puts the sandbox into that cgroup before it runs"
    local current
    current=$(sed -n 's/^[0-9]*:pids:\(.*\)$/\1/p' /proc/self/cgroup)
    if [[ ! -d /sys/fs/cgroup/pids$current ]]; then
        not_ok "$name" "no v1 pids hierarchy at /sys/fs/cgroup/pids"
        return
    fi
    CGROUP_DIR="/sys/fs/cgroup/pids${current%/}/nsjunit-launcher-test-$$"
    mkdir "$CGROUP_DIR"
    run --pid --cgroup "$CGROUP_DIR" -- cat /proc/self/cgroup
    local inside=$OUT
    run --pid --cgroupns --cgroup "$CGROUP_DIR" -- cat /proc/self/cgroup
    local with_ns=$OUT
    check "$name" '[[ $inside == *"pids:${current%/}/nsjunit-launcher-test-$$"* && $with_ns == *":pids:/"$'\''\n'\''* ]]' \
        "cgroup inside '$inside', with cgroupns '$with_ns'"
    wait_for 'rmdir "$CGROUP_DIR" 2>/dev/null' 20 || not_ok "cgroup cleanup" "could not rmdir $CGROUP_DIR"
    run --cgroup "$T/no-such-cgroup" -- true
    check "--cgroup with a missing directory fails with 122 and a hint" \
        '[[ $RC == 122 && $ERR == *"joining cgroup: open(\"$T/no-such-cgroup/cgroup.procs\", O_WRONLY): No such file or directory: "*mkdir* ]]' "wrong error"
}

test_rlimit_nofile() {
    run --rlimit nofile=64 -- /bin/sh -c 'ulimit -n'
    check "--rlimit nofile=64 is set for PROGRAM" '[[ $RC == 0 && $OUT == 64 ]]' "ulimit -n inside"
    run --rlimit nofile=1024:64 -- true
    check "--rlimit with soft > hard is a usage error" '[[ $RC == 120 && $ERR == *"--rlimit \"nofile=1024:64\""* ]]' "not rejected"
}

test_tmpfs_size_limit() {
    local dir="$T/mnt/x"
    run --mount --tmpfs "$dir:1048576" -- /bin/sh -c 'dd if=/dev/zero of="$1/big" bs=1M count=2 2>&1; grep -c " $1 .* - tmpfs " /proc/self/mountinfo' sh "$dir"
    check "--tmpfs PATH:1MiB is a private 1 MiB tmpfs" \
        '[[ $RC == 0 && $OUT == *"No space left on device"* && ! -e $dir/big ]] && ! grep -q " $dir " /proc/self/mountinfo' \
        "writing 2 MiB did not fail, or the mount leaked to the host"
}

test_bind_ro() {
    echo "127.0.0.1 generated" >"$T/hosts-src"
    echo "original" >"$T/hosts-dst"
    run --mount --bind-ro "$T/hosts-src:$T/hosts-dst" -- /bin/sh -c "cat $T/hosts-dst; echo x 2>&1 >$T/hosts-dst"
    check "--bind-ro shows SRC at DST read-only" \
        '[[ $OUT == "127.0.0.1 generated"*"Read-only file system"* && $(cat "$T/hosts-dst") == original ]]' "content or writability wrong"
    run --mount --status-file "$T/status-bind" --bind-ro "$T/hosts-src:$T/missing" -- true
    check "--bind-ro onto a missing DST fails with 123, one line and an error status" \
        '[[ $RC == 123 && $(wc -l <"$T/err") == 1 && $ERR == "nsjunit-launch: bind-mounting --bind-ro: mount("* && $(cat "$T/status-bind") == "error 123 $ERR" ]]' "wrong error"
}

test_inherited_fd_closed_unless_kept() {
    local probe='if { true >&7; } 2>/dev/null; then echo open; else echo closed; fi'
    "$LAUNCHER" --pid -- /bin/sh -c "$probe" </dev/null >"$T/out" 2>&1 7>"$T/fd7"
    local without=$(cat "$T/out")
    "$LAUNCHER" --pid --keep-fd 7 -- /bin/sh -c "$probe" </dev/null >"$T/out" 2>&1 7>"$T/fd7"
    local with=$(cat "$T/out")
    RC=0 OUT="$without/$with" ERR=""
    check "an inherited fd 7 is closed inside unless --keep-fd 7" '[[ $without == closed && $with == open ]]' "got without/with"
    run --keep-fd 9 -- true
    check "--keep-fd of a closed descriptor is a usage error" '[[ $RC == 120 && $ERR == *"--keep-fd 9"* ]]' "not rejected"
}

test_stdin_is_dev_null() {
    # A regular file: a pipe as stdin would be watched as the "parent alive" pipe.
    echo data >"$T/stdin-file"
    "$LAUNCHER" -- readlink /proc/self/fd/0 <"$T/stdin-file" >"$T/out" 2>&1
    RC=$? OUT=$(cat "$T/out") ERR=""
    check "PROGRAM's stdin is /dev/null, not the launcher's" '[[ $RC == 0 && $OUT == /dev/null ]]' "stdin inside"
}

test_usage_errors() {
    local long
    long=$(printf 'a%.0s' {1..70})
    run --bogus -- true
    check "an unknown option exits 120 naming it in one line" '[[ $RC == 120 && $(wc -l <"$T/err") == 1 && $ERR == "nsjunit-launch: usage: "*--bogus* ]]' "wrong usage error"
    run --uts --hostname "$long" -- true
    check "a 70-character --hostname exits 120" '[[ $RC == 120 && $(wc -l <"$T/err") == 1 && $ERR == *"--hostname"*"1 to 64 characters"* ]]' "wrong usage error"
    run --hostname box -- true
    check "--hostname without --uts exits 120" '[[ $RC == 120 && $(wc -l <"$T/err") == 1 && $ERR == *"--hostname"*"requires --uts"* ]]' "wrong usage error"
    run --status-file "$T/status-usage" --time-offset 3 -- true
    check "a usage error is written to the status file" '[[ $RC == 120 && $(cat "$T/status-usage") == "error 120 $ERR" ]]' "status file"
}

test_program_not_found() {
    run --pid -- /no/such/program
    local with_pid=$RC
    run -- /no/such/program
    check "a missing PROGRAM exits 127 with one clear line (with and without --pid)" \
        '[[ $with_pid == 127 && $RC == 127 && $(wc -l <"$T/err") == 1 && $ERR == *"program not found: /no/such/program"* ]]' "wrong error"
    echo 'echo ran' >"$T/not-executable" && chmod 644 "$T/not-executable"
    run --pid -- "$T/not-executable"
    check "a non-executable PROGRAM exits 126" '[[ $RC == 126 && $ERR == *"Permission denied"* ]]' "wrong error"
}

test_setuid_copy_refuses() {
    nobody_run "$(special_copy suid 4755)" --version
    check "a setuid copy of the launcher refuses to run" '[[ $RC == 125 && -z $OUT && $ERR == *"refusing to run setuid"* ]]' "the setuid copy ran"
}

test_unprivileged_user_gets_an_actionable_error() {
    as_nobody --userns=never --pid --net -- true
    check "--userns=never for an unprivileged user: clone3 refused, exit 121 with the flags and a hint" '[[ $RC == 121 && $(wc -l <"$T/err") == 1 && $ERR == "nsjunit-launch: creating namespaces: clone3(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWNET): Operation not permitted: needs root"*"--userns=auto"*"--privileged"* ]]' "wrong error"
}

test_check_mode() {
    run --check --pid --net --uts --ipc --cgroupns --mount-cgroupfs --time
    check "--check sets everything up and exits 0 without output" '[[ $RC == 0 && -z $OUT && -z $ERR ]]' "probe failed"
    run --check --mount --bind-ro "$T/no-such-source:/etc/hostname"
    check "--check reports a failing setup step" '[[ $RC == 123 && $ERR == *"bind-mounting --bind-ro"* ]]' "setup failure not reported"
    run --check -- /bin/echo ran
    check "--check with a PROGRAM is a usage error" '[[ $RC == 120 && $OUT != *ran* ]]' "program ran"
}

test_join_net() {
    local name="--join-net PATH puts the sandbox into an existing network namespace" lpid pid ns
    MARKERS+=("sleep 1000.789$RUN")
    "$LAUNCHER" --net -- sleep 1000.789$RUN </dev/null >/dev/null 2>&1 &
    lpid=$!
    wait_for '[[ -n $(pids_with_cmdline sleep 1000.789$RUN) ]]' 30
    pid=$(pids_with_cmdline sleep 1000.789$RUN)
    ns=$(readlink "/proc/$pid/ns/net" 2>/dev/null)
    run --join-net "/proc/$pid/ns/net" -- readlink /proc/self/ns/net
    kill -TERM "$lpid"
    wait "$lpid" 2>/dev/null
    check "$name" '[[ $RC == 0 && -n $ns && $OUT == "$ns" && $ns != "$(readlink /proc/self/ns/net)" ]]' "namespace '$ns'"
}

# ------------------------------------------------- rootless: an ordinary user, no capabilities

test_user_is_root_of_its_own_user_namespace_with_every_namespace() {
    as_nobody --pid --net --uts --hostname box --ipc --time --boottime-offset 86400 -- /bin/sh -c \
        'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; echo $$; hostname; cut -d. -f1 /proc/uptime; ip -o link show lo; readlink /proc/self/ns/user /proc/self/ns/ipc'
    local maps uid pid host up
    maps=$(echo "$OUT" | head -3 | tr -s ' ' | sed 's/^ //' | tr '\n' '|')
    read -r uid pid host up < <(echo "$OUT" | sed -n '4,7p' | tr '\n' ' ')
    check "as an ordinary user: root (uid 0) of a new user namespace that maps only the caller, setgroups denied" \
        '[[ $RC == 0 && $maps == "0 65534 1|0 65534 1|deny|" && $uid == 0 ]]' "maps '$maps' uid '$uid'"
    check "as an ordinary user: PID 2, own hostname, a day of boottime offset, lo up, own ipc namespace" \
        '[[ $pid == 2 && $host == box && $up -ge 86400 && $OUT == *"<LOOPBACK,UP"* && $OUT == *"user:["* && $OUT != *"$(readlink /proc/self/ns/ipc)"* && $OUT != *"$(readlink /proc/self/ns/user)"* ]]' \
        "pid '$pid' host '$host' uptime '$up'"
}

test_user_tmpfs_and_read_only_bind() {
    mkdir -m 700 "$U/home/mnt" 2>/dev/null; chown 65534:65534 "$U/home/mnt"
    as_nobody --pid --tmpfs "$U/home/mnt:1048576" --bind-ro /etc/hostname:/etc/hosts -- /bin/sh -c \
        'dd if=/dev/zero of="$1/big" bs=1M count=2 2>&1; cat /etc/hosts; echo x 2>&1 >/etc/hosts' sh "$U/home/mnt"
    check "as an ordinary user: a 1 MiB --tmpfs fills up, --bind-ro is read-only, nothing reaches the host" \
        '[[ $RC != 0 && $OUT == *"No space left on device"*"$(cat /etc/hostname)"*"Read-only file system"* && ! -e $U/home/mnt/big ]]' "wrong view"
}

test_user_tmpfs_where_the_user_may_not_create_the_mount_point() {
    local top="/nsjunit-launch-test-$RUN/data" deep="/var/lib/nsjunit-launch-test-$RUN"
    as_nobody --pid --tmpfs "$top:1048576" --tmpfs "$deep:4096" -- /bin/sh -c \
        'grep -c " - tmpfs " /proc/self/mountinfo >/dev/null; stat -c %a "$1" "$2"; ls /usr/bin/env /var/lib/dpkg/status; cat /etc/hostname' sh "$top" "$deep"
    check "as an ordinary user: --tmpfs below / and below /var/lib (root's) works in a private copy of the directory, the rest of it still there" \
        '[[ $RC == 0 && $OUT == "1777"$'\''\n'\''"1777"*"/usr/bin/env"*"/var/lib/dpkg/status"*"$(cat /etc/hostname)" && ! -e ${top%/data} && ! -e $deep ]]' \
        "mount points missing inside, or created on the host"
}

test_user_rlimit_within_and_above_the_hard_limit() {
    local hard
    hard=$(ulimit -Hn)
    as_nobody --rlimit nofile=64 -- /bin/sh -c 'ulimit -n'
    local within=$OUT within_rc=$RC
    as_nobody --rlimit "nofile=$((hard + 1))" -- true
    check "as an ordinary user: --rlimit below the hard limit works, above it fails with 124 naming CAP_SYS_RESOURCE" \
        '[[ $within_rc == 0 && $within == 64 && $RC == 124 && $ERR == *"setrlimit(RLIMIT_NOFILE"*"CAP_SYS_RESOURCE"*"ulimit -H"* ]]' "within '$within'"
}

test_userns_always_as_root_maps_root_only() {
    run --userns=always --pid -- cat /proc/self/uid_map
    local always=$(echo $OUT)
    run --pid -- readlink /proc/self/ns/user
    check "as root: --userns=always maps root to root (0 0 1); the default (auto) makes no user namespace" \
        '[[ $always == "0 0 1" && $OUT == "$(readlink /proc/self/ns/user)" ]]' "always: '$always'"
}

# start_holder SOCKET ARGS...: a holder in the background as nobody (or as root with AS=root);
# waits for its "ready" line. Leaves HOLDER_PID (the outer launcher).
start_holder() {
    local sock=$1 out="$T/holder-$(basename "$1").out"
    shift
    if [[ ${AS:-nobody} == root ]]; then
        "$LAUNCHER" --hold "$sock" "$@" </dev/null >"$out" 2>&1 &
    else
        "${NOBODY[@]}" "$U/nsjunit-launch" --hold "$sock" "$@" </dev/null >"$out" 2>&1 &
    fi
    HOLDER_PID=$!
    wait_for '[[ $(cat "$out" 2>/dev/null) == ready ]] || ! kill -0 $HOLDER_PID 2>/dev/null' 50
}

test_lab_hosts_share_one_user_namespace_and_are_joined_through_their_holders() {
    local a="$U/home/a.sock" b="$U/home/b.sock" pa pb holder_b ns_b user_a mode
    start_holder "$a" --net --uts --hostname a
    pa=$HOLDER_PID
    start_holder "$b" --userns-of "$a" --net --uts --hostname b
    pb=$HOLDER_PID
    holder_b=$(pgrep -P "$pb" | head -1)
    ns_b=$(readlink "/proc/$holder_b/ns/net")
    user_a=$(readlink "/proc/$(pgrep -P "$pa" | head -1)/ns/user")
    mode=$(stat -c %a "$b")
    as_nobody --join-holder "$b" --pid --uts --hostname b2 --time --monotonic-offset 100 -- /bin/sh -c \
        'readlink /proc/self/ns/net /proc/self/ns/user; hostname'
    check "--hold prints ready and serves at a 0600 socket; --userns-of puts host b into host a's user namespace" \
        '[[ $mode == 600 && $(readlink "/proc/$holder_b/ns/user") == "$user_a" && $user_a != "$(readlink /proc/self/ns/user)" ]]' \
        "socket mode $mode, user namespaces a '$user_a' b '$(readlink "/proc/$holder_b/ns/user")'"
    check "as an ordinary user: --join-holder enters the lab's user namespace, then the host's network namespace" \
        '[[ $RC == 0 && $OUT == "$ns_b"$'\''\n'\''"$user_a"$'\''\n'\''b2 ]]' "expected $ns_b / $user_a / b2"
    run --join-holder "$b" -- true
    check "a holder serves only its own user (root is refused, exit 121)" \
        '[[ $RC == 121 && $ERR == *"refused the request: only the user that started it"* ]]' "not refused"
    kill -TERM "$pa" "$pb"
    wait_for '! kill -0 $pa 2>/dev/null && ! kill -0 $pb 2>/dev/null && ! kill -0 $holder_b 2>/dev/null' 30
    RC=0 OUT="" ERR=""
    check "SIGTERM to a holder's launcher ends the holder" '! kill -0 $pa 2>/dev/null && ! kill -0 $pb 2>/dev/null' "still running"
    as_nobody --join-holder "$b" -- true
    check "joining an ended holder fails with 121 saying so" '[[ $RC == 121 && $ERR == *"connect("*"the namespace holder has ended"* ]]' "wrong error"
}

test_root_holder_makes_no_user_namespace() {
    local sock="$T/root.sock" holder ns
    AS=root start_holder "$sock" --net --uts --hostname r
    holder=$(pgrep -P "$HOLDER_PID" | head -1)
    ns=$(readlink "/proc/$holder/ns/net")
    run --join-holder "$sock" -- /bin/sh -c 'readlink /proc/self/ns/net /proc/self/ns/user'
    kill -TERM "$HOLDER_PID"
    wait "$HOLDER_PID" 2>/dev/null
    check "as root: a holder and the sandbox joining it stay in the initial user namespace" \
        '[[ $RC == 0 && $OUT == "$ns"$'\''\n'\''"$(readlink /proc/self/ns/user)" ]]' "namespaces '$OUT'"
}

test_new_usage_errors() {
    run --userns=sometimes -- true
    check "--userns with an unknown mode is a usage error naming the modes" '[[ $RC == 120 && $ERR == *"expected auto, always or never"* ]]' "not rejected"
    run --hold "$T/x.sock" --pid
    check "--hold with --pid is a usage error" '[[ $RC == 120 && $ERR == *"--hold"*"runs no program"* ]]' "not rejected"
    run --join-holder "$T/x.sock" --net -- true
    check "--join-holder with --net is a usage error" '[[ $RC == 120 && $ERR == *"cannot be combined with --net"* ]]' "not rejected"
}

# ------------------------------------------------- what the sandbox promises (docs/reliability.md)

# cap_set HEX CAP...: whether every capability number is in the hexadecimal set HEX.
cap_set() {
    local set=$((16#$1)) c
    shift
    for c in "$@"; do (((set >> c) & 1)) || return 1; done
}
# cap_clear HEX CAP...: whether none of them is.
cap_clear() {
    local set=$((16#$1)) c
    shift
    for c in "$@"; do (((set >> c) & 1)) && return 1; done
    return 0
}
# CAP_ numbers: DAC_READ_SEARCH 2, NET_BIND_SERVICE 10, NET_ADMIN 12, NET_RAW 13, SYS_MODULE 16,
# SYS_RAWIO 17, SYS_ADMIN 21, SYS_NICE 23, SYS_RESOURCE 24, SYS_TIME 25, MKNOD 27, SETFCAP 31, BPF 39
KEPT_CAPS="10 12 13"
DROPPED_CAPS="2 16 17 21 23 24 25 27 31 39"

test_no_new_privs_in_sandbox() {
    local with_pid without user
    run --pid -- grep NoNewPrivs /proc/self/status
    with_pid=$(echo $OUT)
    run -- grep NoNewPrivs /proc/self/status
    without=$(echo $OUT)
    as_nobody --pid -- grep NoNewPrivs /proc/self/status
    user=$(echo $OUT)
    check "PROGRAM runs with no_new_privs (with and without --pid, as root and as an ordinary user)" \
        '[[ $with_pid == "NoNewPrivs: 1" && $without == "NoNewPrivs: 1" && $user == "NoNewPrivs: 1" ]]' \
        "got '$with_pid' / '$without' / '$user'"
}

test_file_capability_copy_refuses() {
    local name="a copy of the launcher with file capabilities refuses to run (as an ordinary user and as root)"
    local copy as_user
    needs setcap "(libcap2-bin) is needed to give the copy a file capability" "$name" || return
    copy=$(special_copy fcaps 755) && setcap cap_net_raw+ep "$copy"
    nobody_run "$copy" --pid -- true
    as_user="$RC:$ERR"
    capture "$copy" --pid -- true
    check "$name" '[[ $as_user == "125:"*"refusing to run with file capabilities"*"setcap -r"* && $RC == 125 && $ERR == *"file capabilities"* ]]' \
        "as nobody '$as_user'"
}

test_umount_proc_reveals_no_host_process() {
    # $RUN is this script's pid on the host: visible only through the host's /proc.
    local probe="umount -l /proc 2>/dev/null && echo unmounted || echo refused; [ -e /proc/$RUN ] && echo host-visible; true"
    local root user all
    run --pid -- /bin/sh -c "$probe"
    root=$(echo $OUT)
    as_nobody --pid -- /bin/sh -c "$probe"
    user=$(echo $OUT)
    check "umount -l /proc in a sandbox is refused (no CAP_SYS_ADMIN), as root and as an ordinary user" \
        '[[ $root == refused && $user == refused ]]' "as root '$root', as nobody '$user'"
    run --pid --all-capabilities -- /bin/sh -c "$probe"
    all=$(echo $OUT)
    check "as root with --all-capabilities umount -l /proc works but reveals no host process (the host's /proc was detached)" \
        '[[ $RC == 0 && $all == unmounted ]]' "got '$all'"
}

test_capabilities_of_program() {
    local eff bnd inh amb all
    run --pid --net -- /bin/sh -c 'grep -E "^Cap(Eff|Bnd|Inh|Amb)" /proc/self/status | cut -f2 | tr "\n" " "'
    read -r inh eff bnd amb <<<"$OUT"
    check "PROGRAM keeps CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_NET_RAW and lacks CAP_SYS_ADMIN, SYS_MODULE, SYS_TIME... (effective and bounding)" \
        '[[ $RC == 0 ]] && cap_set "$eff" $KEPT_CAPS && cap_set "$bnd" $KEPT_CAPS && cap_clear "$eff" $DROPPED_CAPS && cap_clear "$bnd" $DROPPED_CAPS && cap_clear "$inh" $DROPPED_CAPS && [[ $amb == 0000000000000000 ]]' \
        "eff $eff bnd $bnd inh $inh amb $amb"
    run --pid --all-capabilities -- grep CapEff /proc/self/status
    all=${OUT##*$'\t'}
    check "with --all-capabilities PROGRAM keeps CAP_SYS_ADMIN" '[[ $RC == 0 ]] && cap_set "$all" 21 12' "CapEff $all"
    run --pid --net -- /bin/sh -c 'ip link add nsj0 type veth peer name nsj1 && ip addr add 10.213.9.1/24 dev nsj0 && ip link set nsj0 up && ip route add 10.213.10.0/24 via 10.213.9.2 && echo configured'
    check "with the default capabilities a test still configures its own network namespace (link, address, route)" \
        '[[ $RC == 0 && $OUT == configured ]]' "could not"
}

test_sandbox_has_no_controlling_terminal() {
    local name="the sandbox is a session of its own: /dev/tty (the terminal, TIOCSTI) cannot be opened inside"
    local pid nopid
    needs script "(util-linux) is needed to give the launcher a terminal" "$name" || return
    script -qec "$LAUNCHER --pid -- /bin/sh -c 'if true >/dev/tty; then echo has-tty; else echo no-tty; fi' 2>/dev/null" /dev/null </dev/null >"$T/out" 2>&1
    pid=$(tr -d '\r' <"$T/out")
    script -qec "$LAUNCHER -- /bin/sh -c 'if true >/dev/tty; then echo has-tty; else echo no-tty; fi' 2>/dev/null" /dev/null </dev/null >"$T/out" 2>&1
    nopid=$(tr -d '\r' <"$T/out")
    script -qec "/bin/sh -c 'if true >/dev/tty; then echo has-tty; else echo no-tty; fi'" /dev/null </dev/null >"$T/out" 2>&1
    RC=0 OUT=$(tr -d '\r' <"$T/out") ERR=""
    check "$name" '[[ $OUT == has-tty && $pid == no-tty && $nopid == no-tty ]]' "outside '$OUT', with --pid '$pid', without '$nopid'"
}

test_signal_state_reset_before_exec() {
    # SIGCHLD ignored by the parent is inherited by the launcher too: the kernel then reaps the
    # sandbox itself and sends no SIGCHLD, so a launcher that relies on it waits forever (the
    # timeout only keeps a failing run from hanging; it is no bound on the launcher's speed).
    local pid nopid rc_pid rc_nopid
    timeout -s KILL 300 env --ignore-signal=PIPE --ignore-signal=CHLD --block-signal=CHLD --block-signal=USR1 \
        "$LAUNCHER" --pid -- grep -E '^Sig(Blk|Ign)' /proc/self/status </dev/null >"$T/out" 2>&1
    rc_pid=$? pid=$(cut -f2 "$T/out" | tr '\n' ' ')
    timeout -s KILL 300 env --ignore-signal=PIPE --ignore-signal=CHLD --block-signal=CHLD --block-signal=USR1 \
        "$LAUNCHER" -- grep -E '^Sig(Blk|Ign)' /proc/self/status </dev/null >"$T/out" 2>&1
    rc_nopid=$? nopid=$(cut -f2 "$T/out" | tr '\n' ' ')
    RC="$rc_pid/$rc_nopid" OUT="$pid/$nopid" ERR=""
    check "with SIGPIPE and SIGCHLD ignored and signals blocked by its parent the launcher still ends, and PROGRAM has default, unblocked signals" \
        '[[ $rc_pid == 0 && $rc_nopid == 0 && $pid == "0000000000000000 0000000000000000 " && $nopid == "$pid" ]]' "SigBlk SigIgn with --pid '$pid', without '$nopid'"
    if [[ ! -x $HOOKS ]]; then
        not_ok "signals 32 and 33 (glibc's) left ignored by the parent are default in PROGRAM" "the launcher built with test hooks is missing at $HOOKS"
        return
    fi
    NSJUNIT_TEST_HOOK_IGNORE_RESERVED_SIGNALS=1 "$HOOKS" --pid -- grep -E '^SigIgn' /proc/self/status </dev/null >"$T/out" 2>&1
    RC=$? OUT=$(cut -f2 "$T/out") ERR=""
    check "signals 32 and 33 (glibc's) left ignored by the parent, as Maven's JVM does, are default in PROGRAM" \
        '[[ $RC == 0 && $OUT == 0000000000000000 ]]' "SigIgn"
}

test_high_inherited_fd_closed() {
    local probe='if { true >&200; } 2>/dev/null; then echo open; else echo closed; fi'
    local pid nopid
    "$LAUNCHER" --pid -- /bin/bash -c "$probe" </dev/null >"$T/out" 2>&1 200>"$T/fd200"
    pid=$(cat "$T/out")
    "$LAUNCHER" -- /bin/bash -c "$probe" </dev/null >"$T/out" 2>&1 200>"$T/fd200"
    nopid=$(cat "$T/out")
    RC=0 OUT="$pid/$nopid" ERR=""
    check "an inherited descriptor 200 is closed in PROGRAM (with and without --pid)" '[[ $pid == closed && $nopid == closed ]]' "got"
}

# gone PID: exited (or a zombie nobody reaped yet).
gone() {
    [[ ! -e /proc/$1 ]] || [[ $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) == Z ]]
}

# process_state PID: its state letter, what it waits in (wchan) and its parent, for a failure's text.
process_state() {
    local stat
    stat=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || { echo "no /proc/$1"; return; }
    echo "state $(cut -d' ' -f1 <<<"$stat") wchan $(cat "/proc/$1/wchan" 2>/dev/null) ppid $(cut -d' ' -f2 <<<"$stat")"
}

test_parent_death_before_pdeathsig_is_not_lost() {
    local name="the sandbox never runs PROGRAM when the launcher died before its parent-death signal was set"
    if [[ ! -x $HOOKS ]]; then
        not_ok "$name" "the launcher built with test hooks is missing at $HOOKS (make hooks)"
        return
    fi
    local mode i=0 results=()
    for mode in --pid --uts; do
        i=$((i + 1))
        local dir="$T/hook$i" marker="sleep 1000.65$i$RUN" outer sandbox released left
        mkdir "$dir"
        MARKERS+=("$marker" "$HOOKS $mode -- $marker")
        NSJUNIT_TEST_HOOK_DIR=$dir NSJUNIT_TEST_HOOK_HOLD=sandbox-before-pdeathsig \
            "$HOOKS" $mode -- $marker </dev/null >/dev/null 2>&1 &
        outer=$!
        wait_for '[[ -e $dir/sandbox-before-pdeathsig.reached ]]' 50
        sandbox=$(pgrep -P "$outer" | head -1)
        # A launcher that does not wait for the sandbox to be tied to it releases it now.
        wait_for '[[ -e $dir/outer-released.reached ]]' 20
        released=$([[ -e $dir/outer-released.reached ]] && echo released-first || echo waited)
        kill -9 "$outer"
        wait "$outer" 2>/dev/null
        touch "$dir/sandbox-before-pdeathsig.go"
        # 30 s, not 5: once, on a CI VM with a core at 2.3x, the sandbox was still there after 5 s
        # (and gone minutes later, PROGRAM never run); a hung sandbox still fails, with its state.
        wait_for 'gone "$sandbox" && [[ -z $(pids_with_cmdline $marker) ]]' 300
        left=$(pids_with_cmdline $marker)
        results+=("$mode:${sandbox:-none}:$released:$([[ -n $sandbox ]] && gone "$sandbox" && echo gone || echo "alive($(process_state "$sandbox"))"):${left:-none}")
    done
    RC=0 OUT="${results[*]}" ERR=""
    check "$name (with --pid and without)" '[[ ${results[0]} == --pid:[0-9]*:*:gone:none && ${results[1]} == --uts:[0-9]*:*:gone:none ]]' \
        "mode:sandbox:release:sandbox state:PROGRAM pids"
}

# test_cgroup NAME: a fresh v1 pids cgroup below this shell's (CGROUP_DIR), or not_ok and return 1.
make_test_cgroup() {
    local current
    current=$(sed -n 's/^[0-9]*:pids:\(.*\)$/\1/p' /proc/self/cgroup)
    [[ -d /sys/fs/cgroup/pids$current ]] || return 1
    CGROUP_DIR="/sys/fs/cgroup/pids${current%/}/nsjunit-launcher-test-$$-$1"
    mkdir "$CGROUP_DIR"
}

# stopped_by WRITE: runs the launcher in a new cgroup with the stdin pipe, writes WRITE (may be
# empty) to the pipe and closes it once PROGRAM runs. Leaves STATUS and KEPT (cgroup still there).
stopped_by() {
    local fifo="$T/stop-pipe-$1" st="$T/status-stop-$1" marker="sleep 1000.77$1$RUN" lpid
    MARKERS+=("$marker")
    make_test_cgroup "stop$1" || { STATUS="no v1 pids hierarchy"; KEPT=no; return; }
    mkfifo "$fifo"
    "$LAUNCHER" --pid --cgroup "$CGROUP_DIR" --status-file "$st" -- $marker <"$fifo" >/dev/null 2>&1 &
    lpid=$!
    exec 8>"$fifo"
    wait_for '[[ -n $(pids_with_cmdline $marker) ]]' 50
    [[ -n $2 ]] && printf '%s' "$2" >&8
    exec 8>&-
    wait_for '! kill -0 $lpid 2>/dev/null' 50
    kill -9 "$lpid" 2>/dev/null
    wait "$lpid" 2>/dev/null
    STATUS=$(cat "$st" 2>/dev/null)
    KEPT=$([[ -d $CGROUP_DIR ]] && echo yes || echo no)
    [[ -d $CGROUP_DIR ]] && wait_for 'rmdir "$CGROUP_DIR" 2>/dev/null' 20
}

test_stop_request_keeps_the_cgroups_for_the_report() {
    local stop_status stop_kept
    stopped_by 1 "stop"
    stop_status=$STATUS stop_kept=$KEPT
    stopped_by 2 ""
    RC=0 OUT="stop: $stop_status/$stop_kept, eof: $STATUS/$KEPT" ERR=""
    check "'stop' on the stdin pipe ends the sandbox ('stopped') and leaves its cgroup to the caller; EOF alone (the parent died) removes it" \
        '[[ $stop_status == stopped && $stop_kept == yes && $STATUS == parent-gone && $KEPT == no ]]' "status/cgroup kept"
}

# Without --pid, what the test started in the background outlives the sandbox's own process; it
# is still in the test's cgroup, so after its parent's death the launcher must end it too,
# or the group cannot be removed (it used to give up after 2 s and leave it to the next run).
test_parent_death_removes_a_cgroup_that_still_holds_an_escaped_process() {
    local fifo="$T/escape-pipe" st="$T/status-escape" marker="sleep 1000.66$RUN" lpid escaped kept
    MARKERS+=("$marker")
    if ! make_test_cgroup escape; then
        RC=1 OUT="" ERR="no v1 pids hierarchy"
        check "after its parent died the launcher kills what the test left in its cgroup and removes the group" false "no v1 pids hierarchy"
        return
    fi
    mkfifo "$fifo"
    "$LAUNCHER" --uts --cgroup "$CGROUP_DIR" --status-file "$st" -- /bin/sh -c "setsid $marker </dev/null >/dev/null 2>&1 & exec sleep 1000" <"$fifo" >/dev/null 2>&1 &
    lpid=$!
    exec 8>"$fifo"
    wait_for '[[ -n $(pids_with_cmdline $marker) ]]' 50
    exec 8>&-
    wait_for '! kill -0 $lpid 2>/dev/null' 100
    kill -9 "$lpid" 2>/dev/null
    wait "$lpid" 2>/dev/null
    escaped=$(pids_with_cmdline $marker)
    kept=$([[ -d $CGROUP_DIR ]] && echo yes || echo no)
    if [[ -n $escaped ]]; then kill -9 $escaped 2>/dev/null; fi
    [[ -d $CGROUP_DIR ]] && wait_for 'rmdir "$CGROUP_DIR" 2>/dev/null' 20
    RC=0 OUT="status $(cat "$st" 2>/dev/null), escaped process left: ${escaped:-none}, cgroup kept: $kept" ERR=""
    check "after its parent died the launcher kills what the test left in its cgroup and removes the group" \
        '[[ $(cat "$st" 2>/dev/null) == parent-gone && -z $escaped && $kept == no ]]' "$OUT"
}

# Without --pid (the JVM's class-data archive dump runs so) there is no init whose death ends the
# rest: what PROGRAM started is only in its process group (the sandbox leads one, see setsid).
# A JDK 25 dump JVM starts a second JVM at its exit; a parent that dies meanwhile must take both.
test_without_pid_namespace_the_parents_death_ends_what_program_started() {
    local fifo="$T/group-pipe" st="$T/status-group" bg="sleep 1000.881$RUN" fg="sleep 1000.882$RUN" lpid left
    MARKERS+=("$bg" "$fg")
    mkfifo "$fifo"
    "$LAUNCHER" --status-file "$st" -- /bin/sh -c "$bg & exec $fg" <"$fifo" >/dev/null 2>&1 &
    lpid=$!
    exec 8>"$fifo"
    wait_for '[[ -n $(pids_with_cmdline $bg) && -n $(pids_with_cmdline $fg) ]]' 50
    exec 8>&-
    wait_for '! kill -0 $lpid 2>/dev/null' 50
    kill -9 "$lpid" 2>/dev/null
    wait "$lpid" 2>/dev/null
    wait_for '[[ -z $(pids_with_cmdline $bg) ]]' 20
    left="$(pids_with_cmdline $bg) $(pids_with_cmdline $fg)"
    RC=0 OUT="status $(cat "$st" 2>/dev/null), left: ${left// /}" ERR=""
    check "without --pid, the parent's death ends PROGRAM and what PROGRAM started in the background" \
        '[[ $(cat "$st" 2>/dev/null) == parent-gone && -z ${left// /} ]]' "$OUT"
}

# The same when PROGRAM ends by itself: a pid namespace would end its background processes with
# init; without one the launcher ends them before it reports.
test_without_pid_namespace_what_program_left_running_ends_with_it() {
    local bg="sleep 1000.883$RUN" left
    MARKERS+=("$bg")
    run -- /bin/sh -c "$bg >/dev/null 2>&1 & echo started"
    wait_for '[[ -z $(pids_with_cmdline $bg) ]]' 20
    left=$(pids_with_cmdline $bg)
    check "without --pid, a background process PROGRAM left running ends when PROGRAM does" \
        '[[ $RC == 0 && $OUT == started && -z $left ]]' "left running: '$left'"
}

test_time_offsets_with_fractions_of_a_second() {
    run --time --monotonic-offset 1.5 --boottime-offset -0.25 -- cat /proc/self/timens_offsets
    local got
    got=$(echo $OUT)
    check "--monotonic-offset 1.5 and --boottime-offset -0.25 are applied to the nanosecond" \
        '[[ $RC == 0 && $got == "monotonic 1 500000000 boottime -1 750000000" ]]' "offsets '$got'"
    run --time --monotonic-offset 1.0000000001 -- true
    check "an offset with more than 9 decimals is a usage error" \
        '[[ $RC == 120 && $ERR == *"--monotonic-offset \"1.0000000001\""*"nanosecond"* ]]' "not rejected"
}

test_keep_path_stays_visible_under_a_tmpfs() {
    local top="$T/keep" inside
    mkdir -p "$top/run" && echo run-file >"$top/run/file" && echo other >"$top/other"
    run --pid --tmpfs "$top:1048576" --keep-path "$top/run" -- /bin/sh -c \
        'cat "$1/run/file"; ls "$1"; echo written >"$1/run/new"' sh "$top"
    inside=$(echo $OUT)
    check "--keep-path DIR stays visible (read-write) under a --tmpfs covering it; the rest of the tmpfs is empty" \
        '[[ $RC == 0 && $inside == "run-file run" && $(cat "$top/run/new" 2>/dev/null) == written ]] && ! grep -q " $top " /proc/self/mountinfo' \
        "inside '$inside'"
    mkdir -p "$U/home/keep/run" && echo run-file >"$U/home/keep/run/file" && chown -R 65534:65534 "$U/home/keep"
    as_nobody --pid --tmpfs "$U/home/keep:1048576" --keep-path "$U/home/keep/run" -- /bin/sh -c \
        'cat "$1/run/file"; ls "$1"; echo written >"$1/run/new"' sh "$U/home/keep"
    inside=$(echo $OUT)
    check "as an ordinary user: --keep-path stays visible under a --tmpfs covering it" \
        '[[ $RC == 0 && $inside == "run-file run" && $(cat "$U/home/keep/run/new" 2>/dev/null) == written ]]' "inside '$inside'"
    run --mount --tmpfs "$top/run:4096" --keep-path "$top/run" -- true
    check "a --tmpfs at a --keep-path itself is a usage error" '[[ $RC == 120 && $ERR == *"would replace --keep-path"* ]]' "not rejected"
}

test_janitor_removes_at_eof_what_is_still_listed() {
    local marker="sleep 1000.88$RUN" forgotten run_dir="$T/nsjunit-0/run-1-2" not_run_dir="$T/elsewhere/run-1" sleeper
    MARKERS+=("$marker")
    if ! make_test_cgroup janitor; then
        RC=1 OUT="" ERR="no v1 pids hierarchy"
        check "--janitor removes at EOF the groups, their processes and the run directory still listed" false "no v1 pids hierarchy"
        return
    fi
    forgotten="${CGROUP_DIR}-forgotten"
    mkdir "$forgotten" "$CGROUP_DIR/below" && mkdir -p "$run_dir/sub" "$not_run_dir" && touch "$run_dir/sub/f" "$run_dir/s1.sock"
    setsid $marker </dev/null >/dev/null 2>&1 &
    wait_for '[[ -n $(pids_with_cmdline $marker) ]]' 50
    sleeper=$(pids_with_cmdline $marker)
    echo "$sleeper" >"$CGROUP_DIR/below/cgroup.procs"
    printf '+cgroup %s\n+cgroup %s\n-cgroup %s\n+dir %s\n+dir %s\n+cgroup /nonexistent/nsjunit-x\n' \
        "$CGROUP_DIR" "$forgotten" "$forgotten" "$run_dir" "$not_run_dir" | "$LAUNCHER" --janitor >"$T/out" 2>"$T/err"
    RC=$?
    OUT="group kept: $([[ -d $CGROUP_DIR ]] && echo yes || echo no), process left: $(pids_with_cmdline $marker), run dir kept: $([[ -d $run_dir ]] && echo yes || echo no), forgotten kept: $([[ -d $forgotten ]] && echo yes || echo no), other dir kept: $([[ -d $not_run_dir ]] && echo yes || echo no)"
    ERR=$(cat "$T/err")
    check "--janitor removes at EOF the groups, their processes and the run directory still listed; not what was forgotten or is not a run directory" \
        '[[ $RC == 0 && $OUT == "group kept: no, process left: , run dir kept: no, forgotten kept: yes, other dir kept: yes" ]]' "$OUT"
    rmdir "$forgotten" 2>/dev/null
    [[ -d $CGROUP_DIR ]] && { kill -9 $sleeper 2>/dev/null; wait_for 'rmdir "$CGROUP_DIR/below" "$CGROUP_DIR" 2>/dev/null' 20; }
}

# A launcher whose JVM died writes its status file into the run directory at about the moment the
# janitor removes it; an entry that appears (or cannot go yet) while the tree is walked used to
# leave the directory behind. Deterministic stand-in: a mount point inside the run directory,
# unmounted only after the janitor saw EOF (the first walk cannot remove it: EBUSY).
test_janitor_keeps_removing_the_run_directory_until_it_is_gone() {
    local run_dir="$T/nsjunit-0/run-3-4" started elapsed
    mkdir -p "$run_dir/busy" && touch "$run_dir/s1.status"
    if ! mount -t tmpfs -o size=1m nsjunit-janitor-test "$run_dir/busy"; then
        RC=1 OUT="" ERR="mount tmpfs failed"
        check "--janitor removes a run directory whose first removal fails" false "cannot mount a tmpfs here"
        return
    fi
    started=$(date +%s%N)
    (sleep 0.3 && umount "$run_dir/busy") &
    printf '+dir %s\n' "$run_dir" | "$LAUNCHER" --janitor >"$T/out" 2>"$T/err"
    RC=$?
    wait
    elapsed=$((($(date +%s%N) - started) / 1000000))
    OUT="run dir kept: $([[ -d $run_dir ]] && echo yes || echo no)"
    ERR=$(cat "$T/err")
    check "--janitor removes a run directory whose first removal fails (an entry in use at EOF), retrying until it is gone (${elapsed} ms)" \
        '[[ $RC == 0 && $OUT == "run dir kept: no" ]]' "$OUT"
    mountpoint -q "$run_dir/busy" 2>/dev/null && umount "$run_dir/busy"
    rm -rf "$T/nsjunit-0/run-3-4"
}

# The JVM names its run directory on the janitor's command line: a JVM killed right after starting
# the janitor, before it could write a line, still has its directory removed.
test_janitor_knows_the_run_directory_from_its_command_line() {
    local run_dir="$T/nsjunit-0/run-5-6"
    mkdir -p "$run_dir" && touch "$run_dir/nsjunit-launch" "$run_dir/s1.status"
    "$LAUNCHER" --janitor -- "$run_dir" </dev/null >"$T/out" 2>"$T/err"
    RC=$?
    OUT="run dir kept: $([[ -d $run_dir ]] && echo yes || echo no)"
    ERR=$(cat "$T/err")
    check "--janitor -- RUN_DIR removes that directory at EOF with nothing read from stdin" \
        '[[ $RC == 0 && $OUT == "run dir kept: no" ]]' "$OUT"
    rm -rf "$run_dir"
    capture "$LAUNCHER" --janitor -- relative/run-5-6
    check "--janitor with a relative run directory is a usage error (exit 120)" \
        '[[ $RC == 120 && $ERR == *"--janitor takes no other option"* ]]' "$ERR"
}

# The number of results this file must produce: a test that silently stops reporting (an early
# return, a function the loop no longer finds) must fail the run, not shrink it. Update it when
# adding a check.
EXPECTED_RESULTS=77

# ONLY=REGEX runs the tests whose function names match (while working on them; the count is then not checked).
for t in $(sed -n 's/^\(test_[a-z0-9_]*\)() {$/\1/p' "${BASH_SOURCE[0]}" | grep -E "${ONLY:-.}"); do
    before=$((PASSED + FAILED))
    "$t"
    ((PASSED + FAILED > before)) || not_ok "$t" "reported no result"
done
echo "launcher tests: $PASSED ok, $FAILED not ok (expected $EXPECTED_RESULTS results)"
if [[ -z ${ONLY:-} ]] && ((PASSED + FAILED != EXPECTED_RESULTS)); then
    echo "not ok - result count: $((PASSED + FAILED)) results, $EXPECTED_RESULTS expected"
    exit 1
fi
((FAILED == 0))
