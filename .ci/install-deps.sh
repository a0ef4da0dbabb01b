#!/usr/bin/env bash
# The one list of system packages descent needs, installed where missing. Used by .ci/run and by
# both Dockerfiles (docker/cuda, docker/opencl). Debian 12 and Ubuntu 24.04 both carry them.
#   --no-jdk   the image brings its own pinned JDK and Maven (the Dockerfiles)
set -euo pipefail
with_jdk=1
[[ ${1:-} == --no-jdk ]] && with_jdk=0

packages=(
  pocl-opencl-icd        # OpenCL on the CPU: the OpenCL backend and its tests run on it
  ocl-icd-opencl-dev     # the unversioned libOpenCL.so that JOCL loads
  clinfo                 # lists OpenCL platforms (diagnostics)
  fontconfig fonts-dejavu-core   # fonts for headless charts
  python3 python3-numpy python3-sklearn   # bench/peers: numpy and scikit-learn side by side
  git ca-certificates
)
((with_jdk)) && packages+=(openjdk-17-jdk-headless maven)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all present"
fi
