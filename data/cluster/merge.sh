#!/bin/bash
# Merges the shards of data/cluster/sweep.sh into the reports of a single run, once every task has
# finished:  sbatch --dependency=afterok:<array job id> data/cluster/merge.sh
#SBATCH --job-name=mangen-merge
#SBATCH --time=01:00:00
target/release/mangen merge shards/* --out "${MANGEN_REPORTS:-reports}"
