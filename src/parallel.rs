//! Work on many policies at once, with results taken in the order of the policies.
//!
//! `compile` of a folder reports each policy's diagnostics in the order of the files, so that
//! the output of a run does not depend on scheduling. Working in batches and waiting for the
//! slowest policy of each left a core idle; here every worker takes the next policy as soon as it
//! is done, at most `window` policies ahead of the one reported next, so that memory is bounded
//! by the window and not by the number of policies.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// What the consumer of the results says after each: go on, or stop (the run failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Continue,
    Stop,
}

/// Runs `work` on each item on `workers` threads and hands each result to `take`, in the order
/// of the items, on the calling thread. No item is started more than `window` items ahead of the
/// one `take` waits for. After `Next::Stop` no further item is started, and the items being
/// worked on are finished and dropped.
pub fn in_order<T, R>(
    items: &[T],
    workers: usize,
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut take: impl FnMut(R) -> Next,
) where
    T: Sync,
    R: Send,
{
    let workers = workers.clamp(1, items.len().max(1));
    let window = window.max(workers);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // How many results have been taken: a worker waits while its item is a window ahead.
    let taken = (Mutex::new(0usize), Condvar::new());
    let (sender, receiver) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, stop, taken, work) = (&next, &stop, &taken, &work);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= items.len() {
                        return;
                    }
                    let (count, moved) = taken;
                    let mut count = count.lock().unwrap_or_else(|e| e.into_inner());
                    while index >= *count + window && !stop.load(Ordering::Relaxed) {
                        count = moved.wait(count).unwrap_or_else(|e| e.into_inner());
                    }
                    drop(count);
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if sender.send((index, work(&items[index]))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting = BTreeMap::new();
        let mut expected = 0;
        for (index, result) in receiver.iter() {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&expected) {
                expected += 1;
                let next = take(result);
                let (count, moved) = &taken;
                *count.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                if next == Next::Stop {
                    stop.store(true, Ordering::Relaxed);
                }
                moved.notify_all();
                if next == Next::Stop {
                    return;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_order_of_the_items() {
        let items: Vec<u64> = (0..500).collect();
        let mut seen = Vec::new();
        in_order(
            &items,
            4,
            8,
            |&n| {
                // Later items finish first now and then.
                if n % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                n * 2
            },
            |result| {
                seen.push(result);
                Next::Continue
            },
        );
        assert_eq!(seen, items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn no_item_starts_more_than_a_window_ahead() {
        let items: Vec<usize> = (0..300).collect();
        let taken = AtomicUsize::new(0);
        let furthest = AtomicUsize::new(0);
        in_order(
            &items,
            3,
            5,
            |&n| {
                let ahead = n - taken.load(Ordering::SeqCst);
                furthest.fetch_max(ahead, Ordering::SeqCst);
            },
            |()| {
                taken.fetch_add(1, Ordering::SeqCst);
                Next::Continue
            },
        );
        assert_eq!(taken.load(Ordering::SeqCst), 300);
        assert!(furthest.load(Ordering::SeqCst) < 5);
    }

    #[test]
    fn a_stop_ends_the_run() {
        let items: Vec<usize> = (0..10_000).collect();
        let started = AtomicUsize::new(0);
        let mut taken = 0;
        in_order(
            &items,
            2,
            4,
            |_| {
                started.fetch_add(1, Ordering::SeqCst);
            },
            |()| {
                taken += 1;
                if taken == 10 {
                    Next::Stop
                } else {
                    Next::Continue
                }
            },
        );
        assert_eq!(taken, 10);
        assert!(started.load(Ordering::SeqCst) < 10 + 4 + 2);
    }

    #[test]
    fn no_items_no_work() {
        let mut taken = 0;
        in_order(
            &[] as &[u8],
            2,
            4,
            |_| (),
            |()| {
                taken += 1;
                Next::Continue
            },
        );
        assert_eq!(taken, 0);
    }
}
