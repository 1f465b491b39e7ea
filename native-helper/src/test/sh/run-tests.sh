#!/bin/bash
# Drives the real nsjunit-launch binary (needs root). Usage: run-tests.sh PATH/TO/nsjunit-launch
# Each test prints "ok - name" or "not ok - name: why"; the last line is the summary.
set -u

LAUNCHER=$(readlink -f "${1:?usage: run-tests.sh PATH/TO/nsjunit-launch}")
T=$(mktemp -d /tmp/nsjunit-launch-test.XXXXXX)
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
    rm -rf "$T"
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
    MARKERS+=("sleep 1000.123")
    run --pid -- /bin/sh -c 'sleep 1000.123 & sleep 0.3; echo started'
    local left
    left=$(pids_with_cmdline sleep 1000.123)
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
    MARKERS+=("sleep 1000.456")
    mkfifo "$fifo"
    # The launcher's stdin is the read end; this shell holds the only write end on fd 8.
    "$LAUNCHER" --pid --status-file "$st" -- /bin/sh -c 'sleep 1000.456' <"$fifo" >/dev/null 2>&1 &
    lpid=$!
    exec 8>"$fifo"
    wait_for '[[ -n $(pids_with_cmdline sleep 1000.456) ]]' 30
    before=$(pids_with_cmdline sleep 1000.456)
    exec 8>&-
    wait_for '[[ -z $(pids_with_cmdline sleep 1000.456) ]] && ! kill -0 $lpid 2>/dev/null' 20
    after=$(pids_with_cmdline sleep 1000.456)
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
    local name="clone3 refused for an unprivileged user: exit 121 with the flags and a hint"
    if ! command -v setpriv >/dev/null; then
        not_ok "$name" "setpriv (util-linux) is needed to run as nobody"
        return
    fi
    local dir="$T/unprivileged"
    mkdir -m 755 "$dir" && chmod 755 "$T"
    cp "$LAUNCHER" "$dir/nsjunit-launch" && chmod 755 "$dir/nsjunit-launch"
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/nsjunit-launch" --pid --net -- true </dev/null >"$T/out" 2>"$T/err"
    RC=$? OUT=$(cat "$T/out") ERR=$(cat "$T/err")
    chmod 700 "$T"
    check "$name" '[[ $RC == 121 && $(wc -l <"$T/err") == 1 && $ERR == "nsjunit-launch: creating namespaces: clone3(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWNET): Operation not permitted: needs root"*"--privileged"* ]]' "wrong error"
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
    MARKERS+=("sleep 1000.789")
    "$LAUNCHER" --net -- sleep 1000.789 </dev/null >/dev/null 2>&1 &
    lpid=$!
    wait_for '[[ -n $(pids_with_cmdline sleep 1000.789) ]]' 30
    pid=$(pids_with_cmdline sleep 1000.789)
    ns=$(readlink "/proc/$pid/ns/net" 2>/dev/null)
    run --join-net "/proc/$pid/ns/net" -- readlink /proc/self/ns/net
    kill -TERM "$lpid"
    wait "$lpid" 2>/dev/null
    check "$name" '[[ $RC == 0 && -n $ns && $OUT == "$ns" && $ns != "$(readlink /proc/self/ns/net)" ]]' "namespace '$ns'"
}

# The number of results this file must produce: a test that silently stops reporting (an early
# return, a function the loop no longer finds) must fail the run, not shrink it. Update it when
# adding a check.
EXPECTED_RESULTS=37

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
