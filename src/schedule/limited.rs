//! Runs futures with at most `limit` of them in flight (Workers allow six
//! simultaneous connections per invocation), answering in input order.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Wake;

/// Simultaneous connections a Worker invocation may hold: more requests in flight
/// only wait in the runtime.
pub const CONNECTIONS: usize = 6;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A future of a run, boxed: the combinator is compiled once per output type, not
/// once per future type with each future's body inlined into it.
type Job<'a, O> = Pin<Box<dyn Future<Output = O> + 'a>>;

/// The jobs not started yet, made (and boxed) one at a time as places free up: a
/// tick's requests are not all made up front, each moved and copied into a box of
/// its own while only a few can be in flight.
type Pending<'a, O> = Box<dyn Iterator<Item = Job<'a, O>> + 'a>;

/// All of `futures`, at most `limit` at a time; outputs in input order. A future is
/// made when it starts, if `futures` makes them lazily (a `map` over the inputs). No
/// more than its length is asked of it, and fewer outputs come if it ends sooner.
pub async fn run_limited<'a, F: Future + 'a>(
    futures: impl IntoIterator<Item = F, IntoIter: ExactSizeIterator + 'a>,
    limit: usize,
) -> Vec<F::Output> {
    run(futures, limit, None).await
}

/// [`run_limited`] for futures that each send one request through `gate`: beyond the
/// first in flight, one starts only while `gate` has a place no user needs
/// ([`Gate::join`]), checked when the run is polled (at its own answers). A future
/// started only to wait in line costs a wake-up and a poll through every run it is
/// nested in when its turn comes, and its request goes out no sooner. The price: a
/// place another user gives back waits for this run's next answer, and while the
/// users fill the gate, a run whose one request sleeps before a retry sends no other.
pub async fn run_gated<'a, F: Future + 'a>(
    futures: impl IntoIterator<Item = F, IntoIter: ExactSizeIterator + 'a>,
    limit: usize,
    gate: &'a Gate,
) -> Vec<F::Output> {
    run(futures, limit, Some(gate)).await
}

/// [`run_limited`], or with a gate [`run_gated`].
async fn run<'a, F: Future + 'a>(
    futures: impl IntoIterator<Item = F, IntoIter: ExactSizeIterator + 'a>,
    limit: usize,
    gate: Option<&'a Gate>,
) -> Vec<F::Output> {
    let futures = futures.into_iter();
    let count = futures.len();
    let task = Arc::new(TaskWaker(Mutex::new(None)));
    let places = limit.max(1).min(count);
    Limited {
        pending: Box::new(futures.map(|f| -> Job<'a, F::Output> { Box::pin(f) })),
        started: 0,
        total: count,
        places: (0..places)
            .map(|_| {
                let woken = Arc::new(PlaceWaker {
                    woken: AtomicBool::new(false),
                    task: Arc::clone(&task),
                });
                Place {
                    job: None,
                    waker: Waker::from(Arc::clone(&woken)),
                    woken,
                }
            })
            .collect(),
        results: (0..count).map(|_| None).collect(),
        task,
        gate,
    }
    .await
}

/// The waker of the task that polls a run, kept for its places' wakers.
struct TaskWaker(Mutex<Option<Waker>>);

/// One place of a run: its waker marks it for the next poll, then wakes the task.
struct PlaceWaker {
    woken: AtomicBool,
    task: Arc<TaskWaker>,
}

impl Wake for PlaceWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Marked already: the task was woken for it, and has not polled it since.
        if self.woken.swap(true, Ordering::AcqRel) {
            return;
        }
        let task = self.task.0.lock().ok().and_then(|t| t.clone());
        if let Some(task) = task {
            task.wake();
        }
    }
}

/// A place for one job in flight, with the waker its job is polled with.
struct Place<'a, O> {
    job: Option<(usize, Job<'a, O>)>,
    woken: Arc<PlaceWaker>,
    waker: Waker,
}

/// Polls only the jobs whose wakers fired (a wake-up for one request does not poll
/// the others, nor in nested runs their jobs): a tick's runs nest clusters and their
/// node groups, and polling all of them on every answer cost more than the answer.
struct Limited<'a, O> {
    pending: Pending<'a, O>,
    /// How many jobs `pending` has made: the next one's index.
    started: usize,
    /// How many it makes: its length, or fewer if it ends early (no more than its
    /// length is asked of it, so a length told wrong cannot stall the run).
    total: usize,
    places: Vec<Place<'a, O>>,
    results: Vec<Option<O>>,
    task: Arc<TaskWaker>,
    /// The gate the jobs send through, for [`run_gated`].
    gate: Option<&'a Gate>,
}

impl<O> Unpin for Limited<'_, O> {}

impl<O> Future for Limited<'_, O> {
    type Output = Vec<O>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Ok(mut task) = this.task.0.lock() {
            if !task.as_ref().is_some_and(|t| t.will_wake(cx.waker())) {
                *task = Some(cx.waker().clone());
            }
        }
        loop {
            let mut finished = false;
            let mut running = this.places.iter().filter(|p| p.job.is_some()).count();
            for place in &mut this.places {
                if place.job.is_none()
                    && this.started < this.total
                    && (running == 0 || this.gate.is_none_or(Gate::has_room))
                {
                    match this.pending.next() {
                        Some(job) => {
                            place.job = Some((this.started, job));
                            this.started += 1;
                            place.woken.woken.store(true, Ordering::Release);
                            running += 1;
                        }
                        None => this.total = this.started,
                    }
                }
                let Some((i, job)) = place.job.as_mut() else {
                    continue;
                };
                if !place.woken.woken.swap(false, Ordering::AcqRel) {
                    continue;
                }
                if let Poll::Ready(output) =
                    job.as_mut().poll(&mut Context::from_waker(&place.waker))
                {
                    if let Some(slot) = this.results.get_mut(*i) {
                        *slot = Some(output);
                    }
                    place.job = None;
                    running = running.saturating_sub(1);
                    finished = true;
                }
            }
            let drained = this.started >= this.total;
            if drained && this.places.iter().all(|p| p.job.is_none()) {
                return Poll::Ready(this.results.iter_mut().filter_map(Option::take).collect());
            }
            // Again only to start the next jobs in the places freed: a job woken
            // meanwhile woke the task too, which polls it after the others' turn (a
            // job that yields is not spun here).
            if !finished || drained {
                return Poll::Pending;
            }
        }
    }
}

/// At most `n` holders at a time, across every unit of a run: the requests of a tick
/// in flight at once (more would only wait for a connection in the runtime while their
/// timeouts run). First come, first served: a waiter takes a place only when it is
/// first in line, and each place given back wakes whoever is first, so no wake-up is
/// spent on a waiter that no longer waits, whichever task polls it. It also counts
/// its users, for [`run_gated`].
pub struct Gate {
    /// Places in all.
    size: usize,
    free: Cell<usize>,
    /// Who waits, in arrival order: each waiter's ticket and latest waker.
    waiting: RefCell<VecDeque<(u64, Waker)>>,
    next_ticket: Cell<u64>,
    /// Its users ([`Gate::join`]): the units of a run admitted and not done, started
    /// or not, with a request in flight or between two.
    users: Cell<usize>,
}

impl Gate {
    /// A gate for `n` holders (at least one).
    pub fn new(n: usize) -> Self {
        let size = n.max(1);
        Gate {
            size,
            free: Cell::new(size),
            waiting: RefCell::new(VecDeque::new()),
            next_ticket: Cell::new(0),
            users: Cell::new(0),
        }
    }

    /// Counts a user (a unit of a tick, from its admission) until the [`User`] is
    /// dropped: while there are as many as places, [`run_gated`] keeps each to one
    /// request in flight.
    pub fn join(&self) -> User<'_> {
        self.users.set(self.users.get() + 1);
        User(self)
    }

    /// Waits for a place; the place is given back when the [`Pass`] is dropped.
    pub fn enter(&self) -> Enter<'_> {
        Enter {
            gate: self,
            ticket: None,
        }
    }

    /// Whether a place is free that no user needs: nobody waits for it, and fewer
    /// users send than there are places.
    fn has_room(&self) -> bool {
        self.free.get() > 0 && self.users.get() < self.size && self.waiting.borrow().is_empty()
    }

    /// Wakes the first in line, if a place is free for it.
    fn wake_first(&self) {
        if self.free.get() == 0 {
            return;
        }
        let first = self.waiting.borrow().front().map(|(_, w)| w.clone());
        if let Some(waker) = first {
            waker.wake();
        }
    }
}

/// The future of [`Gate::enter`].
pub struct Enter<'g> {
    gate: &'g Gate,
    /// Its place in line, once it waits.
    ticket: Option<u64>,
}

impl<'g> Future for Enter<'g> {
    type Output = Pass<'g>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Pass<'g>> {
        let this = self.get_mut();
        let gate = this.gate;
        let mut waiting = gate.waiting.borrow_mut();
        let first = match this.ticket {
            Some(ticket) => waiting.front().is_some_and(|(t, _)| *t == ticket),
            None => waiting.is_empty(),
        };
        if first && gate.free.get() > 0 {
            if this.ticket.take().is_some() {
                waiting.pop_front();
            }
            gate.free.set(gate.free.get() - 1);
            drop(waiting);
            // Another place free: the next in line may take it.
            gate.wake_first();
            return Poll::Ready(Pass(gate));
        }
        match this.ticket {
            Some(ticket) => {
                if let Some((_, waker)) = waiting.iter_mut().find(|(t, _)| *t == ticket) {
                    if !waker.will_wake(cx.waker()) {
                        *waker = cx.waker().clone();
                    }
                }
            }
            None => {
                let ticket = gate.next_ticket.get();
                gate.next_ticket.set(ticket.wrapping_add(1));
                waiting.push_back((ticket, cx.waker().clone()));
                this.ticket = Some(ticket);
            }
        }
        Poll::Pending
    }
}

impl Drop for Enter<'_> {
    /// A waiter dropped in line leaves it; if it was first, the next one is.
    fn drop(&mut self) {
        let Some(ticket) = self.ticket else { return };
        let gate = self.gate;
        let was_first = {
            let mut waiting = gate.waiting.borrow_mut();
            let at = waiting.iter().position(|(t, _)| *t == ticket);
            if let Some(at) = at {
                waiting.remove(at);
            }
            at == Some(0)
        };
        if was_first {
            gate.wake_first();
        }
    }
}

/// A user of a gate, counted while it lives.
pub struct User<'g>(&'g Gate);

impl Drop for User<'_> {
    fn drop(&mut self) {
        let users = &self.0.users;
        users.set(users.get().saturating_sub(1));
    }
}

/// A place at the gate, held while it lives.
pub struct Pass<'g>(&'g Gate);

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        let gate = self.0;
        gate.free.set(gate.free.get() + 1);
        gate.wake_first();
    }
}

#[cfg(test)]
mod tests {
    use super::{run_gated, run_limited, Gate};
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

    #[test]
    fn makes_each_future_when_a_place_frees_up() {
        // A lazy `map` gives the run its futures as places free: never more made than
        // are in flight, so a tick's hundred requests are not all made (and moved into
        // boxes) up front.
        let made = Rc::new(Cell::new(0));
        let jobs = (0..20).map(|_| {
            made.set(made.get() + 1);
            let made = made.clone();
            async move {
                step().await;
                made.get()
            }
        });
        let out = futures::executor::block_on(run_limited(jobs, 6));
        assert_eq!(out.first(), Some(&6), "the first answer came with six made");
        assert_eq!(made.get(), 20);
        assert!(out.windows(2).all(|w| w[0] <= w[1]), "{out:?}");
    }

    #[test]
    fn a_length_told_wrong_does_not_stall_the_run() {
        /// Futures of `0..has`, telling a length of `says`; counts the asks.
        struct Told<'c> {
            next: u32,
            has: u32,
            says: usize,
            asked: &'c Cell<u32>,
        }
        impl Iterator for Told<'_> {
            type Item = std::future::Ready<u32>;
            fn next(&mut self) -> Option<Self::Item> {
                self.asked.set(self.asked.get() + 1);
                (self.next < self.has).then(|| {
                    self.next += 1;
                    std::future::ready(self.next - 1)
                })
            }
        }
        impl ExactSizeIterator for Told<'_> {
            fn len(&self) -> usize {
                self.says
            }
        }
        let asked = Cell::new(0);
        let run = |has, says| {
            asked.set(0);
            let told = Told {
                next: 0,
                has,
                says,
                asked: &asked,
            };
            (
                futures::executor::block_on(run_limited(told, 2)),
                asked.get(),
            )
        };
        assert_eq!(run(3, 5), (vec![0, 1, 2], 4), "ends when the iterator does");
        assert_eq!(run(4, 2), (vec![0, 1], 2), "asks no more than its length");
    }

    /// A waker that counts its wake-ups.
    struct Count(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for Count {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn counted() -> (std::sync::Arc<Count>, std::task::Waker) {
        let count = std::sync::Arc::new(Count(std::sync::atomic::AtomicUsize::new(0)));
        (count.clone(), std::task::Waker::from(count))
    }

    fn wakes(count: &Count) -> usize {
        count.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A wake-up polls the job it is for, not the others (nor, nested, their jobs),
    /// and wakes the task that polls the run.
    #[test]
    fn a_wake_up_polls_only_its_job() {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let polls: Rc<[Cell<u32>; 3]> = Rc::new(Default::default());
        let ready: Rc<[Cell<bool>; 3]> = Rc::new(Default::default());
        let wakers: Rc<std::cell::RefCell<[Option<Waker>; 3]>> = Rc::new(Default::default());
        let jobs: Vec<_> = (0..3)
            .map(|i| {
                let (polls, ready, wakers) = (polls.clone(), ready.clone(), wakers.clone());
                std::future::poll_fn(move |cx| {
                    polls[i].set(polls[i].get() + 1);
                    if ready[i].get() {
                        Poll::Ready(i)
                    } else {
                        wakers.borrow_mut()[i] = Some(cx.waker().clone());
                        Poll::Pending
                    }
                })
            })
            .collect();
        let mut run = Box::pin(run_limited(jobs, 6));
        let (task, waker) = counted();
        let mut cx = Context::from_waker(&waker);
        let counts = || polls.iter().map(Cell::get).collect::<Vec<_>>();
        assert!(run.as_mut().poll(&mut cx).is_pending());
        assert_eq!(counts(), [1, 1, 1]);
        ready[1].set(true);
        wakers.borrow_mut()[1].take().unwrap().wake();
        assert_eq!(wakes(&task), 1, "the task is woken");
        assert!(run.as_mut().poll(&mut cx).is_pending());
        assert_eq!(counts(), [1, 2, 1], "only the woken job is polled");
        assert!(run.as_mut().poll(&mut cx).is_pending());
        assert_eq!(counts(), [1, 2, 1], "a poll without a wake-up polls none");
        for i in [0, 2] {
            ready[i].set(true);
            wakers.borrow_mut()[i].take().unwrap().wake();
        }
        assert_eq!(run.as_mut().poll(&mut cx), Poll::Ready(vec![0, 1, 2]));
        assert_eq!(counts(), [2, 2, 2]);
    }

    /// Waiters of different tasks take places in arrival order; each place given back
    /// wakes the first in line (once, however often it was polled); one that leaves
    /// the line while first passes the place on.
    #[test]
    fn places_go_to_the_first_in_line_whichever_task_polls() {
        use std::future::Future;
        use std::task::{Context, Poll};
        let gate = Gate::new(1);
        let held = futures::executor::block_on(gate.enter());
        let ((a_count, a_waker), (b_count, b_waker), (c_count, c_waker)) =
            (counted(), counted(), counted());
        let (mut a, mut b, mut c) = (
            Box::pin(gate.enter()),
            Box::pin(gate.enter()),
            Box::pin(gate.enter()),
        );
        for _ in 0..3 {
            assert!(a
                .as_mut()
                .poll(&mut Context::from_waker(&a_waker))
                .is_pending());
        }
        assert!(b
            .as_mut()
            .poll(&mut Context::from_waker(&b_waker))
            .is_pending());
        assert!(c
            .as_mut()
            .poll(&mut Context::from_waker(&c_waker))
            .is_pending());
        assert_eq!(gate.waiting.borrow().len(), 3, "each waiter once");
        drop(held);
        assert_eq!(
            (wakes(&a_count), wakes(&b_count)),
            (1, 0),
            "the first is woken"
        );
        // B's task polls it for another reason: A is first, B waits.
        assert!(b
            .as_mut()
            .poll(&mut Context::from_waker(&b_waker))
            .is_pending());
        let Poll::Ready(pass) = a.as_mut().poll(&mut Context::from_waker(&a_waker)) else {
            panic!("the first in line takes the place");
        };
        drop(pass);
        assert_eq!(wakes(&b_count), 1);
        // B leaves the line without taking the place: C gets it.
        drop(b);
        assert_eq!(wakes(&c_count), 1);
        assert!(c
            .as_mut()
            .poll(&mut Context::from_waker(&c_waker))
            .is_ready());
        assert!(gate.waiting.borrow().is_empty());
    }

    /// Several tasks share one gate (of one or two places), their jobs yielding a
    /// varied number of times: every job gets through (no wake-up is lost), over 1000
    /// interleavings.
    #[test]
    fn tasks_sharing_a_gate_all_finish() {
        use futures::task::LocalSpawnExt;
        let mut state = 7u64;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % below
        };
        for round in 0..1000 {
            let gate = Rc::new(Gate::new(1 + next(2) as usize));
            let (done, mut expected) = (Rc::new(Cell::new(0)), 0);
            let mut pool = futures::executor::LocalPool::new();
            for _ in 0..2 + next(2) {
                let jobs: Vec<_> = (0..1 + next(5))
                    .map(|_| {
                        let (steps, gate, done) = (next(4), gate.clone(), done.clone());
                        async move {
                            let _place = gate.enter().await;
                            for _ in 0..steps {
                                step().await;
                            }
                            done.set(done.get() + 1);
                        }
                    })
                    .collect();
                expected += jobs.len();
                pool.spawner()
                    .spawn_local(async move {
                        run_limited(jobs, 6).await;
                    })
                    .unwrap();
            }
            pool.run_until_stalled();
            assert_eq!(done.get(), expected, "round {round}");
        }
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
            .map(|_| async { run_limited((0..6).map(|_| request()), 6).await.len() })
            .collect();
        let done = futures::executor::block_on(run_limited(units, 6));
        assert_eq!(done, vec![6; 6]);
        assert_eq!(peak.get(), 3);
    }

    /// Runs `jobs` requests through `gate` with [`run_gated`]: how many were in flight
    /// at most, and how many waited in line.
    async fn gated(gate: &Gate, jobs: usize) -> (usize, usize) {
        use std::future::Future;
        let (now, peak, waits) = (Cell::new(0), Cell::new(0), Cell::new(0));
        let request = || async {
            let mut enter = Box::pin(gate.enter());
            let _place = std::future::poll_fn(|cx| {
                let entered = enter.as_mut().poll(cx);
                if entered.is_pending() {
                    waits.set(waits.get() + 1);
                }
                entered
            })
            .await;
            now.set(now.get() + 1);
            peak.set(peak.get().max(now.get()));
            step().await;
            now.set(now.get() - 1);
        };
        let done = run_gated((0..jobs).map(|_| request()), 6, gate).await;
        assert_eq!(done.len(), jobs, "every request went out");
        (peak.get(), waits.get())
    }

    /// While a gate has as many users as places, a gated run keeps to one request in
    /// flight (none starts only to wait in line); with fewer, it takes the places no
    /// user needs.
    #[test]
    fn a_gated_run_takes_only_places_no_user_needs() {
        let gate = Gate::new(3);
        let users: Vec<_> = (0..3).map(|_| gate.join()).collect();
        let run = || {
            // Polled a bounded number of times (every job's step wakes it again): a run
            // that never starts fails here rather than hangs.
            use std::future::Future;
            use std::task::{Context, Poll};
            let mut run = std::pin::pin!(gated(&gate, 5));
            let waker = futures::task::noop_waker();
            let mut cx = Context::from_waker(&waker);
            (0..1000).find_map(|_| match run.as_mut().poll(&mut cx) {
                Poll::Ready(out) => Some(out),
                Poll::Pending => None,
            })
        };
        assert_eq!(run(), Some((1, 0)), "three users, three places");
        drop(users);
        let _alone = gate.join();
        assert_eq!(run(), Some((3, 0)), "one user takes every place");
    }

    /// Users that leave during a gated run widen it at its next answer; a user
    /// dropped, started or not, no longer counts.
    #[test]
    fn a_gated_run_widens_when_users_leave() {
        let gate = Gate::new(3);
        let _stays = gate.join();
        // Two more users, each the guard of a unit that has not started.
        let leaving = std::cell::RefCell::new(vec![gate.join(), gate.join()]);
        let (now, peak) = (Cell::new(0), Cell::new(0));
        let jobs: Vec<_> = (0..6)
            .map(|i| {
                let (gate, leaving, now, peak) = (&gate, &leaving, &now, &peak);
                async move {
                    let _place = gate.enter().await;
                    now.set(now.get() + 1);
                    peak.set(peak.get().max(now.get()));
                    step().await;
                    if i == 0 {
                        // The others are done: one user is left, of three places.
                        leaving.borrow_mut().clear();
                    }
                    now.set(now.get() - 1);
                }
            })
            .collect();
        assert_eq!(gate.users.get(), 3);
        let done = futures::executor::block_on(run_gated(jobs, 6, &gate));
        assert_eq!(done.len(), 6, "every request went out");
        assert_eq!(
            peak.get(),
            3,
            "one at a time, then every place once two left"
        );
        assert_eq!(gate.users.get(), 1);
    }

    /// A gated run with nothing in flight starts a request even when the gate has no
    /// place free: it waits in line, and goes out once a place is given back.
    #[test]
    fn a_gated_run_waits_in_line_for_its_first_request() {
        use futures::task::LocalSpawnExt;
        let gate = Rc::new(Gate::new(1));
        let _user = gate.join();
        let held = futures::executor::block_on(gate.enter());
        let (result, mut pool) = (
            Rc::new(Cell::new(None)),
            futures::executor::LocalPool::new(),
        );
        {
            let (gate, result) = (gate.clone(), result.clone());
            pool.spawner()
                .spawn_local(async move { result.set(Some(gated(&gate, 2).await)) })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(result.get(), None, "the place is held");
        drop(held);
        pool.run_until_stalled();
        assert_eq!(
            result.get(),
            Some((1, 1)),
            "it waited once, then both went out"
        );
    }
}
