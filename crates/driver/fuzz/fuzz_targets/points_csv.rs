//! Fuzz target: the CSV point reader on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mangen_driver::fuzzing::points_csv(data));
