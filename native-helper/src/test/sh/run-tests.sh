#!/bin/bash
# Drives the real nsjunit-launch binary (needs root). Usage: run-tests.sh PATH/TO/nsjunit-launch
# Each test prints "ok - name" or "not ok - name: why"; the last line is the summary.
set -u

LAUNCHER=$(readlink -f "${1:?usage: run-tests.sh PATH/TO/nsjunit-launch}")
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

ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - $1: $2"; FAILED=$((FAILED + 1)); }

# run ARGS...: runs the launcher with stdin from /dev/null (so the parent watch is off),
# leaving OUT, ERR and RC.
run() {
    "$LAUNCHER" "$@" </dev/null >"$T/out" 2>"$T/err"
    RC=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
}

# expect NAME CONDITION-DESCRIPTION -- evaluated by the caller: check "$name" "[[ ... ]]" "why"
check() {
    local name=$1 cond=$2 why=$3
    if eval "$cond"; then ok "$name"; else not_ok "$name" "$why (rc=$RC out='${OUT:0:300}' err='${ERR:0:300}')"; fi
}

# as_nobody ARGS...: runs the launcher copy as uid/gid 65534 (no capabilities), leaving OUT, ERR and RC.
# $U/home is that user's own private directory (0700).
as_nobody() {
    if [[ ! -x $U/nsjunit-launch ]]; then
        chmod 755 "$U" && cp "$LAUNCHER" "$U/nsjunit-launch" && chmod 755 "$U/nsjunit-launch"
        mkdir -m 700 "$U/home" && chown 65534:65534 "$U/home"
    fi
    setpriv --reuid=65534 --regid=65534 --clear-groups "$U/nsjunit-launch" "$@" </dev/null >"$T/out" 2>"$T/err"
    RC=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
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
    local name="a setuid copy of the launcher refuses to run"
    if ! command -v setpriv >/dev/null; then
        not_ok "$name" "setpriv (util-linux) is needed to run the copy as nobody"
        return
    fi
    local dir="$T/suid"
    mkdir -m 755 "$dir" && chmod 755 "$T"
    cp "$LAUNCHER" "$dir/nsjunit-launch" && chmod 4755 "$dir/nsjunit-launch"
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/nsjunit-launch" --version </dev/null >"$T/out" 2>"$T/err"
    RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
    chmod 700 "$T"
    check "$name" '[[ $RC == 125 && -z $OUT && $ERR == *"refusing to run setuid"* ]]' "the setuid copy ran"
}

test_unprivileged_user_gets_an_actionable_error() {
    local name="--userns=never for an unprivileged user: clone3 refused, exit 121 with the flags and a hint"
    if ! command -v setpriv >/dev/null; then
        not_ok "$name" "setpriv (util-linux) is needed to run as nobody"
        return
    fi
    local dir="$T/unprivileged"
    mkdir -m 755 "$dir" && chmod 755 "$T"
    cp "$LAUNCHER" "$dir/nsjunit-launch" && chmod 755 "$dir/nsjunit-launch"
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/nsjunit-launch" --userns=never --pid --net -- true </dev/null >"$T/out" 2>"$T/err"
    RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
    chmod 700 "$T"
    check "$name" '[[ $RC == 121 && $(wc -l <"$T/err") == 1 && $ERR == "nsjunit-launch: creating namespaces: clone3(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWNET): Operation not permitted: needs root"*"--userns=auto"*"--privileged"* ]]' "wrong error"
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
        setpriv --reuid=65534 --regid=65534 --clear-groups "$U/nsjunit-launch" --hold "$sock" "$@" </dev/null >"$out" 2>&1 &
    fi
    HOLDER_PID=$!
    wait_for '[[ $(cat "$out" 2>/dev/null) == ready ]] || ! kill -0 $HOLDER_PID 2>/dev/null' 50
}

test_lab_hosts_share_one_user_namespace_and_are_joined_through_their_holders() {
    as_nobody --version # prepares $U
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

# The number of results this file must produce: a test that silently stops reporting (an early
# return, a function the loop no longer finds) must fail the run, not shrink it. Update it when
# adding a check.
EXPECTED_RESULTS=52

for t in $(sed -n 's/^\(test_[a-z0-9_]*\)() {$/\1/p' "${BASH_SOURCE[0]}"); do
    before=$((PASSED + FAILED))
    "$t"
    ((PASSED + FAILED > before)) || not_ok "$t" "reported no result"
done
echo "launcher tests: $PASSED ok, $FAILED not ok (expected $EXPECTED_RESULTS results)"
if ((PASSED + FAILED != EXPECTED_RESULTS)); then
    echo "not ok - result count: $((PASSED + FAILED)) results, $EXPECTED_RESULTS expected"
    exit 1
fi
((FAILED == 0))
