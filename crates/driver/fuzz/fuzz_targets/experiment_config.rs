//! Fuzz target: the experiment-config parser and checker on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mangen_driver::fuzzing::experiment_config(data));
