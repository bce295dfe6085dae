//! The worker threads of a `mangen` process: rayon's pool runs cells (or queries) in parallel, and each network operation inside them runs on one thread.
//!
//! candle reads `RAYON_NUM_THREADS` at every matrix product and, above one, hands the product's
//! pieces to the rayon pool that the sweep's cells already fill. For the small networks of a
//! cell that costs far more than it gains (measured on 2 cores: an L1 cell, 2000 epochs of a
//! width-16 network, took 141 s with two cells side by side, 8 s with one thread per product).
//! So the pool is started first, with the workers asked for, and the variable is then set to 1
//! for candle.

#![allow(unsafe_code)]

use anyhow::{Context, Result, bail};

/// Starts rayon's global pool with `threads` workers (when `None`: `RAYON_NUM_THREADS` as set,
/// else every core), then pins candle's products to one thread. Call once, first in `main`,
/// while the process has a single thread.
pub fn start(threads: Option<usize>) -> Result<()> {
    if threads == Some(0) {
        bail!("--threads must be ≥ 1");
    }
    let workers = threads.or_else(|| {
        std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|value| value.parse::<usize>().ok())
            .filter(|&n| n > 0)
    });
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(workers) = workers {
        pool = pool.num_threads(workers);
    }
    pool.build_global()
        .context("cannot start the worker threads")?;
    // SAFETY: called first in `main`, before the pool above has run anything and before any
    // other thread of ours reads the environment; the pool's workers, idle, read none.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    Ok(())
}
