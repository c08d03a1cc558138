//! Runs futures with at most `limit` of them in flight (Workers allow six
//! simultaneous connections per invocation), answering in input order.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

/// Simultaneous connections a Worker invocation may hold: more requests in flight
/// only wait in the runtime.
pub const CONNECTIONS: usize = 6;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A future of a run, boxed: the combinator is compiled once per output type, not
/// once per future type with each future's body inlined into it.
type Job<'a, O> = Pin<Box<dyn Future<Output = O> + 'a>>;

/// All of `futures`, at most `limit` at a time; outputs in input order.
pub async fn run_limited<'a, F: Future + 'a>(futures: Vec<F>, limit: usize) -> Vec<F::Output> {
    let count = futures.len();
    Limited {
        pending: futures
            .into_iter()
            .map(|f| -> Job<'a, F::Output> { Box::pin(f) })
            .enumerate()
            .collect(),
        active: Vec::new(),
        results: (0..count).map(|_| None).collect(),
        limit: limit.max(1),
    }
    .await
}

struct Limited<'a, O> {
    pending: VecDeque<(usize, Job<'a, O>)>,
    active: Vec<(usize, Job<'a, O>)>,
    results: Vec<Option<O>>,
    limit: usize,
}

impl<O> Unpin for Limited<'_, O> {}

impl<O> Future for Limited<'_, O> {
    type Output = Vec<O>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            while this.active.len() < this.limit {
                match this.pending.pop_front() {
                    Some(next) => this.active.push(next),
                    None => break,
                }
            }
            let before = this.active.len();
            let results = &mut this.results;
            this.active
                .retain_mut(|(i, future)| match future.as_mut().poll(cx) {
                    Poll::Ready(output) => {
                        if let Some(slot) = results.get_mut(*i) {
                            *slot = Some(output);
                        }
                        false
                    }
                    Poll::Pending => true,
                });
            if this.active.is_empty() && this.pending.is_empty() {
                return Poll::Ready(this.results.iter_mut().filter_map(Option::take).collect());
            }
            if this.active.len() == before {
                return Poll::Pending;
            }
        }
    }
}

/// At most `n` holders at a time, across every unit of a run: the requests of a tick
/// in flight at once (more would only wait for a connection in the runtime while their
/// timeouts run).
pub struct Gate {
    free: Cell<usize>,
    waiting: RefCell<VecDeque<Waker>>,
}

impl Gate {
    /// A gate for `n` holders (at least one).
    pub fn new(n: usize) -> Self {
        Gate {
            free: Cell::new(n.max(1)),
            waiting: RefCell::new(VecDeque::new()),
        }
    }

    /// Waits for a place; the place is given back when the [`Pass`] is dropped.
    pub fn enter(&self) -> Enter<'_> {
        Enter(self)
    }

    /// Wakes the longest waiter, if a place is free.
    fn wake_one(&self) {
        if self.free.get() > 0 {
            let next = self.waiting.borrow_mut().pop_front();
            if let Some(waker) = next {
                waker.wake();
            }
        }
    }
}

/// The future of [`Gate::enter`].
pub struct Enter<'g>(&'g Gate);

impl<'g> Future for Enter<'g> {
    type Output = Pass<'g>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Pass<'g>> {
        let gate = self.0;
        match gate.free.get() {
            0 => {
                // Once per waker: a task polled again while it waits is not queued twice.
                let mut waiting = gate.waiting.borrow_mut();
                if !waiting.iter().any(|w| w.will_wake(cx.waker())) {
                    waiting.push_back(cx.waker().clone());
                }
                Poll::Pending
            }
            n => {
                gate.free.set(n - 1);
                Poll::Ready(Pass(gate))
            }
        }
    }
}

impl Drop for Enter<'_> {
    /// A waiter woken for a free place but dropped before taking it passes the
    /// wake-up on.
    fn drop(&mut self) {
        self.0.wake_one();
    }
}

/// A place at the gate, held while it lives.
pub struct Pass<'g>(&'g Gate);

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        let gate = self.0;
        gate.free.set(gate.free.get() + 1);
        gate.wake_one();
    }
}

#[cfg(test)]
mod tests {
    use super::{run_limited, Gate};
    use std::cell::Cell;
    use std::rc::Rc;

    /// Pending once, then ready: lets the others run in between.
    async fn step() {
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if yielded {
                std::task::Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await;
    }

    #[test]
    fn keeps_order_and_bounds_the_flight() {
        let (now, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let jobs: Vec<_> = (0..20)
            .map(|i| {
                let (now, peak) = (now.clone(), peak.clone());
                async move {
                    now.set(now.get() + 1);
                    peak.set(peak.get().max(now.get()));
                    for _ in 0..(i % 3) + 1 {
                        step().await;
                    }
                    now.set(now.get() - 1);
                    i * 10
                }
            })
            .collect();
        let out = futures::executor::block_on(run_limited(jobs, 6));
        assert_eq!(out, (0..20).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(peak.get(), 6);
    }

    /// A waiter polled again while the gate is full is queued once, not once per poll.
    #[test]
    fn a_waiter_polled_again_is_queued_once() {
        use std::future::Future;
        use std::sync::Arc;
        use std::task::{Context, Wake, Waker};
        struct Task;
        impl Wake for Task {
            fn wake(self: Arc<Self>) {}
        }
        let gate = Gate::new(1);
        let held = futures::executor::block_on(gate.enter());
        let mut waiting = Box::pin(gate.enter());
        let waker = Waker::from(Arc::new(Task));
        let mut cx = Context::from_waker(&waker);
        for _ in 0..5 {
            assert!(waiting.as_mut().poll(&mut cx).is_pending());
        }
        assert_eq!(gate.waiting.borrow().len(), 1);
        drop(held);
        assert!(waiting.as_mut().poll(&mut cx).is_ready());
    }

    /// Nested runs (clusters, and each cluster's node groups) share one gate: never
    /// more requests in flight than it allows, and every job gets through.
    #[test]
    fn a_gate_bounds_nested_runs() {
        let gate = Gate::new(3);
        let (now, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let request = || {
            let (now, peak, gate) = (now.clone(), peak.clone(), &gate);
            async move {
                let _place = gate.enter().await;
                now.set(now.get() + 1);
                peak.set(peak.get().max(now.get()));
                step().await;
                step().await;
                now.set(now.get() - 1);
            }
        };
        let units: Vec<_> = (0..6)
            .map(|_| async {
                run_limited((0..6).map(|_| request()).collect(), 6)
                    .await
                    .len()
            })
            .collect();
        let done = futures::executor::block_on(run_limited(units, 6));
        assert_eq!(done, vec![6; 6]);
        assert_eq!(peak.get(), 3);
    }
}
