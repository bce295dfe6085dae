#!/bin/bash
# One Slurm array task per shard of the sweep, submitted from the checkout after
# `cargo build --release -p mangen-driver`:  sbatch data/cluster/sweep.sh
# The array must run 1..N (shard I of N is task I). MANGEN_PROFILE picks the profile (standard),
# MANGEN_EXPERIMENTS the configs (every file of data/experiments), MANGEN_SHARDS the N of a task
# submitted again on its own (sbatch --array=I), whose array then counts one task.
#SBATCH --job-name=mangen
#SBATCH --array=1-8
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
export OPENBLAS_NUM_THREADS=1
# shellcheck disable=SC2086 # MANGEN_EXPERIMENTS is a list of paths.
target/release/mangen sweep --profile "${MANGEN_PROFILE:-standard}" --threads "$SLURM_CPUS_PER_TASK" \
    --shard "$SLURM_ARRAY_TASK_ID/${MANGEN_SHARDS:-$SLURM_ARRAY_TASK_COUNT}" --resume \
    --out "shards/$SLURM_ARRAY_TASK_ID" ${MANGEN_EXPERIMENTS:-}
