#!/usr/bin/env bash
# nsjunit benchmarks: builds the launcher, the extension and this module, then measures everything
# side by side in one run and writes docs/performance.md (see benchmarks/README.md).
#
#   benchmarks/run.sh            # full run, about 14 to 16 minutes on 2 cores
#   benchmarks/run.sh --quick    # a smoke run with few samples (numbers not meaningful)
#   benchmarks/run.sh --quick -Dbench.out=/tmp/perf-try.md   # further -D options go to the harness
#
# Needs: root (namespaces, cgroups), JDK 17 as `java`, Maven, gcc with the static libc. Installs
# Debian's bubblewrap when bwrap is missing (the bwrap row says why when that is not possible), and
# Debian's criu when missing (the CRIU row says whether `criu check` passes on this kernel; Debian 12's
# 3.17 does not on kernels from 6.13: BENCH_CRIU=/path/to/criu names a CRIU 4.1+ built by hand, which
# also needs iptables-restore for the network namespace: installed here when missing).
# Optional: a JDK 25 at /usr/lib/jvm/temurin-25-jdk-amd64 (or BENCH_JAVA25=...) for the AOT-cache rows.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
quick=false
props=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    -D*) props+=("$arg") ;;
    *) echo "bench: unknown argument $arg (use --quick and -Dbench.out=..., -Dbench.only=...)" >&2; exit 2 ;;
  esac
done

if ! command -v bwrap >/dev/null 2>&1; then
  echo "bench: installing bubblewrap (for the bwrap comparison row)" >&2
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    { apt-get install -y -q bubblewrap || { apt-get update -q && apt-get install -y -q bubblewrap; }; } >/dev/null 2>&1 \
      || echo "bench: bubblewrap could not be installed; its row will say so" >&2
  else
    echo "bench: not root or no apt-get: the bwrap row will say it is not installed" >&2
  fi
fi

if ! command -v criu >/dev/null 2>&1; then
  # For the CRIU row: restoring a checkpointed child is measured where `criu check` passes, and the
  # row says why not where it does not.
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing criu (for the checkpoint/restore row)" >&2
    apt-get install -y -q criu >/dev/null 2>&1 || echo "bench: criu could not be installed; its row will say so" >&2
  fi
fi

if ! command -v iptables-restore >/dev/null 2>&1 && { [[ -n "${BENCH_CRIU:-}" ]] || command -v criu >/dev/null 2>&1; }; then
  # CRIU saves and restores a network namespace's netfilter state with iptables-save/-restore.
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing iptables (CRIU restores a network namespace's rules with it)" >&2
    apt-get install -y -q iptables >/dev/null 2>&1 || echo "bench: iptables could not be installed; the CRIU rows will say why" >&2
  fi
fi

cd "$repo"
echo "bench: building (mvn -B -q -Pbenchmarks -pl native-helper,benchmarks -am package -DskipTests -Dmaven.test.skip=true)" >&2
mvn -B -q -Pbenchmarks -pl native-helper,benchmarks -am package -DskipTests -Dmaven.test.skip=true
gcc -O2 -Wall -o benchmarks/target/spawnbench benchmarks/src/main/c/spawnbench.c
gcc -O1 -Wall -o benchmarks/target/corespeed benchmarks/src/main/c/corespeed.c

# Jars only (AppCDS dumping refuses directories on the classpath); the child JVMs get this classpath.
cp="$repo/benchmarks/target/nsjunit-benchmarks.jar"
for jar in "$repo"/benchmarks/target/lib/*.jar; do cp="$cp:$jar"; done

exec java -cp "$cp" \
  -Dbench.repo="$repo" \
  -Dbench.quick="$quick" \
  -Dbench.java25="${BENCH_JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}" \
  ${BENCH_OUT:+-Dbench.out="$BENCH_OUT"} \
  ${BENCH_ONLY:+-Dbench.only="$BENCH_ONLY"} \
  ${BENCH_CRIU:+-Dbench.criu="$BENCH_CRIU"} \
  "${props[@]}" \
  dev.nsjunit.bench.Main
