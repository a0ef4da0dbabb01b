#!/usr/bin/env bash
# Compiles every kernels/cuda/*.cu into <out>/<name>.fatbin: SASS for sm_80 and sm_90, PTX for
# compute_90 so newer GPUs JIT it. Usage: build.sh NVCC OUTDIR. Without nvcc it writes
# <out>/NOT_BUILT (the backend reports it) and exits 0, so the build passes on any machine.
set -euo pipefail
nvcc=${1:-nvcc}; out=${2:?usage: build.sh NVCC OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
rm -f "$out/NOT_BUILT"
if ! command -v "$nvcc" >/dev/null 2>&1; then
  for c in /usr/local/cuda/bin/nvcc /usr/local/cuda-13.0/bin/nvcc; do [[ -x $c ]] && nvcc=$c && break; done
fi
if ! command -v "$nvcc" >/dev/null 2>&1; then
  echo "nvcc not found at build time" > "$out/NOT_BUILT"
  echo "[cuda] nvcc not found: CUDA kernels not built (the CUDA backend will say so)"
  exit 0
fi
shopt -s nullglob
for cu in "$here"/*.cu; do
  name=$(basename "$cu" .cu)
  dst="$out/$name.fatbin"
  fresh=1
  for dep in "$cu" "$here"/../common/*.h "$here/build.sh"; do [[ $dst -nt $dep ]] || fresh=0; done
  if [[ -f $dst ]] && ((fresh)); then continue; fi
  echo "[cuda] nvcc $name.cu"
  # -fmad=false: no multiply-add is fused after the source says so. With fusion on, ptxas (and the driver's JIT of
  # the PTX) fuses a mul and an add where the surrounding kernel's schedule lets it: the same step body inlined in
  # run_steps_thread_d8 and sweep_steps_thread_d8 got 6,711 and 6,583 FFMAs (sm_90), and a sweep's configuration
  # left its run alone in the 8th digit on an H200 (session 10). Without it every rounding is fixed in the PTX
  # (mul.rn, add.rn; fmaf only where written), so a body gives the same bits in every kernel that inlines it.
  # --threads 0: the three targets compiled side by side (2 cores: 1 min 52 s instead of ~3 min 14 s of one core's work,
  # the same fatbin byte for byte, session 12)
  "$nvcc" -fatbin -O3 -std=c++17 -fmad=false --threads 0 -I"$here/../common" \
    -gencode=arch=compute_80,code=sm_80 \
    -gencode=arch=compute_90,code=sm_90 \
    -gencode=arch=compute_90,code=compute_90 \
    -Xptxas=-warn-spills \
    -o "$dst.tmp" "$cu"
  mv "$dst.tmp" "$dst"
done
