//! A monotone priority queue for Dijkstra's searches: a radix heap on the bit patterns of non-negative f64 keys.
//!
//! Non-negative f64s order as their bit patterns do as u64. A radix heap takes only keys no
//! smaller than the last one popped (as a Dijkstra search pushes) and files each item by the
//! highest bit in which its key differs from that last key: bucket b > 0 holds the keys whose
//! highest differing bit is b − 1, bucket 0 the keys equal to it. A pop takes from bucket 0, or
//! else finds the lowest non-empty bucket, makes its smallest key the last and refiles its
//! items into lower buckets. Each item moves at most 64 times, and in practice a few; there is
//! no comparison-based sift through a deep heap.

/// A min-priority queue of `(key, item)` with non-negative keys, each push no smaller than the
/// last key popped. Among equal keys, the last pushed comes out first.
pub(crate) struct RadixHeap<T> {
    last: u64,
    buckets: Vec<Vec<(u64, T)>>,
    refiling: Vec<(u64, T)>,
}

impl<T: Copy> RadixHeap<T> {
    pub(crate) fn new() -> Self {
        Self {
            last: 0,
            buckets: (0..=64).map(|_| Vec::new()).collect(),
            refiling: Vec::new(),
        }
    }

    fn bucket(&self, bits: u64) -> usize {
        (u64::BITS - (bits ^ self.last).leading_zeros()) as usize
    }

    /// Files `item` under `key` (non-negative, at least the last key popped).
    pub(crate) fn push(&mut self, key: f64, item: T) {
        // + 0.0 turns −0.0, whose sign bit would order it last, into 0.0.
        let bits = (key + 0.0).to_bits();
        debug_assert!(
            key >= 0.0 && bits >= self.last,
            "a radix heap key must not fall below the last key popped"
        );
        let bucket = self.bucket(bits);
        self.buckets[bucket].push((bits, item));
    }

    /// The item of smallest key, with its key; None when empty.
    pub(crate) fn pop(&mut self) -> Option<(f64, T)> {
        if self.buckets[0].is_empty() {
            let lowest = (1..self.buckets.len()).find(|&b| !self.buckets[b].is_empty())?;
            std::mem::swap(&mut self.refiling, &mut self.buckets[lowest]);
            self.last = self
                .refiling
                .iter()
                .map(|&(bits, _)| bits)
                .min()
                .expect("the bucket is not empty");
            for index in 0..self.refiling.len() {
                let (bits, item) = self.refiling[index];
                let bucket = self.bucket(bits);
                self.buckets[bucket].push((bits, item));
            }
            self.refiling.clear();
        }
        let (bits, item) = self.buckets[0].pop()?;
        Some((f64::from_bits(bits), item))
    }

    /// Empties the queue, keeping its buffers, for a new search from key 0.
    pub(crate) fn clear(&mut self) {
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        self.last = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Interleaved monotone pushes and pops come out in the order of a sorted oracle.
        #[test]
        fn pops_come_out_in_key_order(steps in proptest::collection::vec((0.0f64..10.0, 0usize..4), 1..200)) {
            let mut heap = RadixHeap::new();
            let mut oracle: Vec<f64> = Vec::new();
            let mut floor = 0.0;
            for (index, &(offset, pops)) in steps.iter().enumerate() {
                let key = floor + offset;
                heap.push(key, index);
                oracle.push(key);
                for _ in 0..pops {
                    oracle.sort_by(|a, b| b.total_cmp(a));
                    let expected = oracle.pop();
                    let popped = heap.pop().map(|(key, _)| key);
                    prop_assert_eq!(popped, expected);
                    if let Some(key) = popped {
                        floor = key;
                    }
                }
            }
            oracle.sort_by(|a, b| b.total_cmp(a));
            while let Some(expected) = oracle.pop() {
                prop_assert_eq!(heap.pop().map(|(key, _)| key), Some(expected));
            }
            prop_assert!(heap.pop().is_none());
        }
    }

    #[test]
    fn negative_zero_is_zero_and_items_follow_their_keys() {
        let mut heap = RadixHeap::new();
        heap.push(2.5, 'c');
        heap.push(-0.0, 'a');
        heap.push(1.0, 'b');
        assert_eq!(heap.pop(), Some((0.0, 'a')));
        assert_eq!(heap.pop(), Some((1.0, 'b')));
        assert_eq!(heap.pop(), Some((2.5, 'c')));
        assert_eq!(heap.pop(), None);
    }
}
