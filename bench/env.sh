# Sourced by the benchmark scripts: where and when a run happened, printed the same way by all of them.

# bench_env COMMAND: "key: value" lines (date, commit, command, cpu, memory, os, java, load) for a results folder's env.txt
bench_env() {
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- src kernels bench pom.xml || echo ' (dirty)')"
  echo "command: $1"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores visible"
  echo "memory: $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "os: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_header COMMAND ROOT JAR: the header a peer-comparison script prints (command, machine and load, commit, jar, java);
# leaves $machine and $commit set for the script's summary
bench_header() {
  local cmd=$1 root=$2 jar=$3
  machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "command: $cmd"
  echo "machine: $machine; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
    git -C "$root" diff --quiet HEAD -- src kernels pom.xml || commit="$commit (library sources modified)"
  else
    commit="${COMMIT:-unknown} (not a git checkout)"
  fi
  echo "commit: $commit; jar built $(date -u -r "$jar" +%FT%TZ); $(java -version 2>&1 | head -1)"
}

# bench_prepare: builds descent and the JMH jar, and writes the n = 1M, d = 2 and 64 .npy workloads under target/bench
# (once: kept between runs) that the JMH runs and their peers read
bench_prepare() {
  mkdir -p target/bench
  mvn -q -B install -DskipTests
  mvn -q -B -f bench/pom.xml package
  local d
  for d in 2 64; do [[ -f target/bench/d$d/X.npy ]] || ./descent data -n 1000000 -d $d --out target/bench/d$d; done
}

# export_jsig: the JDK's libjsig preloaded for every java the script starts after (JMH's forks inherit it), as ./descent
# does: PoCL installs signal handlers over the JVM's, and a JVM running its own threads after OpenCL loaded was seen to
# die of SIGSEGV with no hs_err file (session 12, bench/sweep.sh with OpenCL first).
export_jsig() {
  local j
  j="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"
  [[ -f $j ]] && export LD_PRELOAD="$j${LD_PRELOAD:+:$LD_PRELOAD}"
  return 0
}
