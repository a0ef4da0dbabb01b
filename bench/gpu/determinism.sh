#!/usr/bin/env bash
# On the GPU machine: the same training run in separate processes, three times per backend; prints
# each run's initial loss (history row 1) and a checksum of its final model. A backend whose lines
# differ is not deterministic across processes (KillResumeTest saw the OpenCL initial loss differ
# between its in-process reference run and a child process on an H200 host). Logs under $OUT.
set -uo pipefail
set -f
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT/det"
J=.gpu/jre/bin/java
D="$J -Xmx8g -Djava.awt.headless=true -Ddescent.home=. -cp .gpu/app/* dev.descent.cli.Main"
args="--rows 60000 --features 24 --batch 4 --epochs 1 --lr 0.01 --optimizer momentum:0.9 --schedule step:2:0.5 --order shuffle --seed 7 --no-progress"
for b in ${BACKENDS:-opencl:@gpu opencl:@cpu cuda cpu}; do
  for i in 1 2 3; do
    f="$OUT/det/${b//[:@]/_}-$i"
    timeout 60 $D train --backend "$b" $args --history "$f.csv" --save-model "$f.json" > "$f.log" 2>&1
    echo "$b run $i: exit $? initial $(sed -n 3p "$f.csv" | cut -d, -f5) model $(md5sum < "$f.json" | cut -c1-12)"
  done
done
