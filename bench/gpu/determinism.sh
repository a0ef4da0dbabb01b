#!/usr/bin/env bash
# On the GPU machine: the same training run in separate processes, three times per backend; prints
# each run's initial loss (history row 1) and a checksum of its final model. A backend whose lines
# differ is not deterministic across processes (KillResumeTest saw the OpenCL initial loss differ
# between its in-process reference run and a child process on an H200 host). Logs under $OUT.
set -uo pipefail
set -f
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT/det"
J=.gpu/jre/bin/java
# DET_JOPTS: the JVM's options (KillResumeTest's children run with none but -Djava.awt.headless=true);
# DET_EXTRA: more train options (the children add --checkpoint FILE --checkpoint-every 997); DET_TAG names the variant
D="$J ${DET_JOPTS--Xmx8g -Ddescent.home=.} -Djava.awt.headless=true -cp .gpu/app/* dev.descent.cli.Main"
args="--rows 60000 --features 24 --batch 4 --epochs ${DET_EPOCHS:-1} --lr 0.01 --optimizer momentum:0.9 --schedule step:2:0.5 --order shuffle --seed 7 --no-progress"
for b in ${BACKENDS:-opencl:@gpu opencl:@cpu cuda cpu}; do
  for i in $(seq 1 "${DET_RUNS:-3}"); do
    f="$OUT/det/${DET_TAG:-plain}-${b//[:@]/_}-$i"
    rm -f "$f.ckpt"
    timeout 60 $D train --backend "$b" $args ${DET_EXTRA:+${DET_EXTRA//FILE/$f.ckpt}} --history "$f.csv" --save-model "$f.json" > "$f.log" 2>&1
    echo "${DET_TAG:-plain} $b run $i: exit $? initial $(sed -n 3p "$f.csv" | cut -d, -f5) model $(md5sum < "$f.json" | cut -c1-12)"
  done
done
