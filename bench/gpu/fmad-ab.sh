#!/usr/bin/env bash
# On the GPU machine: the same CUDA trainings with kernels built three ways (session 10), alternating, REPS each:
#   old  .gpu/old/*.jar: sm_90 cubin, nvcc's default (multiply-adds fused by NVVM and by ptxas)
#   mid  .gpu/mid/*.jar: sm_90 cubin, -Xptxas=--fmad=false (NVVM's fusions kept, ptxas fuses none)
#   new  the bundled jar's fatbin: -fmad=false (no fusion but the source's fmaf)
# A jar put first on the class path shadows the bundled kernels. Prints each run's last epoch line and steps line.
set -uo pipefail
set -f
J=.gpu/jre/bin/java
[[ -f .gpu/jre/lib/libjsig.so ]] && J="env LD_PRELOAD=$PWD/.gpu/jre/lib/libjsig.so $J"
for r in "-n 2000000 -d 2 -B 1" "-n 400000 -d 16 -B 1"; do
  for rep in $(seq "${REPS:-2}"); do
    for v in ${VARIANTS:-old mid new}; do
      cp='.gpu/app/*'; [[ $v != new ]] && cp=".gpu/$v/*:.gpu/app/*"
      printf '%s %-4s %-28s ' "$rep" "$v" "$r"
      $J -Xmx16g -cp "$cp" dev.descent.cli.Main train --backend cuda $r -e 2 --period 0 --seed 3 --no-progress 2>&1 | grep -E "Epoch 2|steps, " | tr '\n' ' '
      echo
    done
  done
done
