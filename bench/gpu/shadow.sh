#!/usr/bin/env bash
# Here (no GPU), after bench/gpu/prepare.sh: a jar holding only kernels/cuda/descent.fatbin built from another version of
# the kernels, for an A/B on the GPU machine in one call. Put first on the class path, it shadows the bundled kernels
# (bench/gpu/fmad-ab.sh's VARIANTS: NAME runs with .gpu/NAME/*.jar first).
#   bash bench/gpu/shadow.sh REV NAME        the kernels of commit REV (kernels/cuda and kernels/common at REV)
#   bash bench/gpu/shadow.sh - NAME          the working tree's kernels
# sm_90 SASS only (the H100 and H200), so each jar is ~1.7 MB and the tree still travels under 64 MiB. The Java side
# must ask for kernel names that version has (session 12's A/B: old = c5f1756's fatbin against the new host code, whose
# unweighted names were unchanged).
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=${1:?usage: shadow.sh REV|- NAME} name=${2:?usage: shadow.sh REV|- NAME}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $rev == - ]]; then
  cp -r kernels "$work/kernels"
else
  mkdir -p "$work/kernels"
  git archive "$rev" kernels/cuda kernels/common | tar -x -C "$work"
fi
mkdir -p "$work/jar/kernels/cuda" ".gpu/$name"
nvcc -fatbin -O3 -std=c++17 -fmad=false --threads 0 -I"$work/kernels/common" \
  -gencode=arch=compute_90,code=sm_90 -Xptxas=-warn-spills \
  -o "$work/jar/kernels/cuda/descent.fatbin" "$work/kernels/cuda/descent.cu"
(cd "$work/jar" && jar cf "$OLDPWD/.gpu/$name/$name.jar" kernels)
ls -la ".gpu/$name"
