#!/usr/bin/env bash
# On the GPU machine: the same CUDA trainings (batch-1 SGD, d = 2 on 2M rows and d = 16 on 400k) with kernels from
# several builds, alternating, REPS each; VARIANTS names them: "new" is the bundled jar's fatbin, any other NAME runs
# with .gpu/NAME/*.jar first on the class path (made here by bench/gpu/shadow.sh REV NAME), shadowing it. Prints each
# run's last epoch line and steps line. Session 10 compared fusion flags (old: nvcc's default, mid:
# -Xptxas=--fmad=false, new: -fmad=false); session 12 the thread kernels' fmaf step (VARIANTS="old split new").
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
