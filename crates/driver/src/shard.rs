//! Shards: a deterministic share `--shard I/N` of a sweep's cells, so that a cluster's tasks split a sweep that `mangen merge` puts back together.

/// A deterministic share of a sweep's cells: `--shard I/N` runs the cells whose position in the
/// whole sweep (experiments in order, each in report order) is I − 1 modulo N. Consecutive cells
/// cost about the same, so the shares take about equally long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index of this share.
    pub index: usize,
    /// Number of shares.
    pub count: usize,
}

impl Shard {
    /// The whole sweep, as one share.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether this share runs the cell at `position` of the whole sweep.
    pub fn owns(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// The plan indices this share owns of each experiment's plan, given the plan lengths.
    pub fn owned(self, plan_lengths: &[usize]) -> Vec<Vec<usize>> {
        let mut position = 0;
        plan_lengths
            .iter()
            .map(|&length| {
                let owned = (0..length).filter(|i| self.owns(position + i)).collect();
                position += length;
                owned
            })
            .collect()
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        let usage = || format!("`{text}` is not a shard I/N with 1 ≤ I ≤ N (for example 2/3)");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = index.trim().parse().map_err(|_| usage())?;
        let count: usize = count.trim().parse().map_err(|_| usage())?;
        if index == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_sweep_into_disjoint_shares_that_cover_it() {
        let lengths = [7, 1, 0, 12];
        let shares: Vec<Vec<Vec<usize>>> = (1..=3)
            .map(|index| Shard { index, count: 3 }.owned(&lengths))
            .collect();
        for (experiment, &length) in lengths.iter().enumerate() {
            let mut all: Vec<usize> = shares
                .iter()
                .flat_map(|share| share[experiment].clone())
                .collect();
            all.sort_unstable();
            assert_eq!(all, (0..length).collect::<Vec<_>>());
        }
        let sizes: Vec<usize> = shares
            .iter()
            .map(|s| s.iter().map(Vec::len).sum())
            .collect();
        assert_eq!(sizes, vec![7, 7, 6]);
        assert_eq!(Shard::WHOLE.owned(&lengths)[3].len(), 12);
    }

    #[test]
    fn a_shard_is_read_as_i_of_n() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
