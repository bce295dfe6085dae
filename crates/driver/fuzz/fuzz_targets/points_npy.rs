//! Fuzz target: the .npy point reader on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mangen_driver::fuzzing::points_npy(data));
