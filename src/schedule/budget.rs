//! The subrequest budget of one invocation, counted by the planner itself (not by
//! the client's shared counter, so a request served concurrently by the same client
//! never eats a tick's budget), and the planner's sending: bounded retries of
//! idempotent calls, each attempt counted.
//!
//! Each cluster is a unit that reserves what it can cost before it starts; reads and
//! retries beyond the reservation draw on the slack left after every unit admitted.
//! A unit dearer than a whole budget gets what there is ([`Budget::reserve_partial`])
//! and applies what of its writes that pays for.
//! Every request a call sends counts: Identity's (from one kept for it) and a 401's
//! second try, as the client tallies them.
//! The budget also holds the run's [`Gate`]: the requests in flight at once, across
//! every unit.

use super::limited::Gate;
use crate::api::{Call, FromAnswer};
use crate::client::{Read, Request, Tally};
use crate::error::{Error, ErrorKind};
use crate::transport::{HttpResponse, Transport};
use crate::NksClient;
use std::cell::Cell;
use std::rc::Rc;

/// One invocation's budget.
pub(super) struct Budget {
    /// The limit.
    pub limit: u64,
    /// Left over after the reservations: for retries and reads beyond estimates.
    slack: Cell<u64>,
    /// Not yet reserved.
    free: Cell<u64>,
    /// Requests sent in this invocation (shared with the run's progress, which
    /// outlives the run when its caller stops waiting).
    used: Rc<Cell<u64>>,
    /// Kept for Identity's token requests.
    identity: Cell<u64>,
    /// Requests in flight at once.
    gate: Gate,
}

/// A unit's reservation.
pub(super) struct Share<'b> {
    budget: &'b Budget,
    own: Cell<u64>,
    /// Less than the unit can cost: it never fits whole.
    partial: bool,
}

impl Budget {
    /// A budget of `limit` requests, `concurrency` of them in flight at once, counting
    /// what is sent into `used`.
    pub fn new(limit: u64, concurrency: usize, used: Rc<Cell<u64>>) -> Budget {
        Budget {
            limit,
            slack: Cell::new(0),
            free: Cell::new(limit),
            used,
            identity: Cell::new(0),
            gate: Gate::new(concurrency),
        }
    }

    /// Reserves `n` for a unit, if that many are left.
    pub fn reserve(&self, n: u64) -> Option<Share<'_>> {
        let free = self.free.get();
        (n <= free).then(|| {
            self.free.set(free - n);
            Share {
                budget: self,
                own: Cell::new(n),
                partial: false,
            }
        })
    }

    /// Reserves all that is left for a unit that can cost `n`, more than that: better
    /// served in part than never.
    pub fn reserve_partial(&self, n: u64) -> Option<Share<'_>> {
        let free = self.free.replace(0);
        (free > 0).then(|| Share {
            budget: self,
            own: Cell::new(free),
            partial: n > free,
        })
    }

    /// Keeps one request for Identity (a client with Identity credentials may need
    /// a token), if one is left.
    pub fn keep_for_identity(&self) {
        let free = self.free.get();
        if free > 0 {
            self.free.set(free - 1);
            self.identity.set(self.identity.get() + 1);
        }
    }

    /// What is not reserved yet.
    pub fn free(&self) -> u64 {
        self.free.get()
    }

    /// What is left for any unit once admission is closed (see [`Self::close`]).
    pub fn slack(&self) -> u64 {
        self.slack.get()
    }

    /// Counts `n` requests already sent: paid from `pool` while it lasts, then from
    /// the slack; past both they are counted all the same (they went out: a
    /// transient Identity failure retried, a 401's second try).
    fn charge(&self, pool: &Cell<u64>, n: u64) {
        let from_pool = n.min(pool.get());
        pool.set(pool.get() - from_pool);
        let from_slack = (n - from_pool).min(self.slack.get());
        self.slack.set(self.slack.get() - from_slack);
        self.used.set(self.used.get() + n);
    }

    /// Ends admission: what no unit reserved becomes slack.
    pub fn close(&self) {
        self.slack.set(self.slack.get() + self.free.replace(0));
    }
}

impl Share<'_> {
    /// Whether `n` more requests can be paid for (own reservation, then slack).
    pub fn can(&self, n: u64) -> bool {
        self.own.get() + self.budget.slack.get() >= n
    }

    /// Moves what `n` more requests need from the slack into this unit's own share,
    /// if they can be paid for: other units running meanwhile cannot take it away.
    pub fn claim(&self, n: u64) -> bool {
        let (own, slack) = (self.own.get(), self.budget.slack.get());
        let need = n.saturating_sub(own);
        if need > slack {
            return false;
        }
        self.budget.slack.set(slack - need);
        self.own.set(own + need);
        true
    }

    /// Whether this unit got less than it can cost ([`Budget::reserve_partial`]).
    pub fn partial(&self) -> bool {
        self.partial
    }

    /// Claims, as [`Self::claim`] does, as many of `n` requests as can be paid for;
    /// answers how many.
    pub fn claim_up_to(&self, n: u64) -> u64 {
        let payable = n.min(self.own.get() + self.budget.slack.get());
        if self.claim(payable) {
            payable
        } else {
            0
        }
    }

    /// Pays for one request.
    pub fn take(&self) -> bool {
        let b = self.budget;
        if self.own.get() > 0 {
            self.own.set(self.own.get() - 1);
        } else if b.slack.get() > 0 {
            b.slack.set(b.slack.get() - 1);
        } else {
            return false;
        }
        b.used.set(b.used.get() + 1);
        true
    }

    /// The gate every request of the run goes through.
    pub fn gate(&self) -> &Gate {
        &self.budget.gate
    }

    /// The invocation's limit.
    pub fn limit(&self) -> u64 {
        self.budget.limit
    }

    /// Moves `n` requests of this unit's (own, then slack) into `held`, for one call,
    /// if they can be paid for.
    fn hold(&self, n: u64, held: &Cell<u64>) -> bool {
        let b = self.budget;
        if self.own.get() + b.slack.get() < n {
            return false;
        }
        let from_own = n.min(self.own.get());
        self.own.set(self.own.get() - from_own);
        b.slack.set(b.slack.get() - (n - from_own));
        held.set(held.get() + n);
        true
    }

    /// Counts what one call sent beyond the request [`Self::take`] paid for: its
    /// Identity requests (from what was kept for Identity, then from what the call
    /// `held`, then from this unit's share) and its NKS requests after the first
    /// (from what it held, then from this unit's share). What it held and did not
    /// use returns to the share.
    fn charge(&self, tally: &Tally<'_>, held: &Cell<u64>) {
        let b = self.budget;
        let pay = |n: u64| {
            let from_held = n.min(held.get());
            b.charge(held, from_held);
            b.charge(&self.own, n - from_held);
        };
        let identity = tally.identity.get();
        let kept = identity.min(b.identity.get());
        b.charge(&b.identity, kept);
        pay(identity - kept);
        match tally.nks.get() {
            // Nothing went out (no token): the request paid for is given back.
            0 => {
                self.own.set(self.own.get() + 1);
                b.used.set(b.used.get().saturating_sub(1));
            }
            n => pay(n - 1),
        }
        self.own.set(self.own.get() + held.replace(0));
    }

    /// Gives back what this unit did not use.
    pub fn release(&self) {
        let b = self.budget;
        b.slack.set(b.slack.get() + self.own.replace(0));
    }
}

/// Whether the request may have reached the API although no answer came back.
pub(super) fn answer_lost(e: &Error) -> bool {
    matches!(
        e.kind,
        ErrorKind::Timeout | ErrorKind::Network | ErrorKind::InvalidResponse
    ) || e.status == 504
}

/// Sends `call`, paying each attempt from `share`: idempotent calls (the operation
/// table decides) are retried as the client's [`crate::retry::Backoff`] says
/// (transient failures, an unreadable answer among them, up to `retries`, honouring
/// `Retry-After`), while the budget lasts. `None`: not sent, no budget.
pub(super) async fn send<R: FromAnswer, T: Transport>(
    client: &NksClient<T>,
    share: &Share<'_>,
    call: Result<Call<R>, Error>,
) -> Option<Result<R, Error>> {
    let call = match call {
        Ok(call) => call,
        Err(e) => return Some(Err(e)),
    };
    // Only the reading depends on `R`: the sending is one function for every call.
    let mut answer = None;
    let mut read = |response: &HttpResponse| {
        answer = Some(R::from_answer(response.body.text())?);
        Ok(())
    };
    let request = Request {
        method: call.method(),
        path: &call.path,
        body: call.body.as_deref(),
        idempotent: call.idempotent,
    };
    match send_read(client, share, &request, &mut read).await? {
        // `read` succeeded: `answer` holds what it read.
        Ok(()) => answer.map(Ok),
        Err(e) => Some(Err(e)),
    }
}

/// [`send`] without its result type: each answer goes to `read`, whose refusal (an
/// unreadable answer) is retried like any transient failure.
async fn send_read<T: Transport>(
    client: &NksClient<T>,
    share: &Share<'_>,
    request: &Request<'_>,
    read: Read<'_>,
) -> Option<Result<(), Error>> {
    let backoff = client.backoff();
    // The client sends once: the retries are made (and counted) here.
    let once = Request {
        idempotent: false,
        ..*request
    };
    let mut attempt: u32 = 0;
    let mut last: Option<Error> = None;
    loop {
        if !share.take() {
            // A request that was sent keeps its error; `None` only when none went out.
            return last.map(Err);
        }
        // A 401's second try (a new token, the request again) only if the budget
        // pays for both, held for this call when it asks: past the invocation's
        // limit the platform refuses requests.
        let held = Cell::new(0);
        let second_try = || share.hold(2, &held);
        let tally = Tally {
            second_try: Some(&second_try),
            ..Tally::default()
        };
        let sent = {
            let _place = share.budget.gate.enter().await;
            client.send_tallied(&once, Some(&tally), &mut *read).await
        };
        share.charge(&tally, &held);
        let error = match sent {
            Ok(_) => return Some(Ok(())),
            Err(e) => e,
        };
        match backoff.delay(request.idempotent, &error, attempt) {
            Some(delay) if share.can(1) => client.transport().sleep(delay).await,
            _ => return Some(Err(error)),
        }
        last = Some(error);
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::Budget;
    use std::cell::Cell;
    use std::rc::Rc;

    #[test]
    fn a_claim_holds_against_other_units() {
        let used = Rc::new(Cell::new(0));
        let budget = Budget::new(10, 6, Rc::clone(&used));
        let (a, b) = (budget.reserve(3).unwrap(), budget.reserve(3).unwrap());
        budget.close(); // 4 left as slack
        assert!(a.claim(6), "3 own + 3 from the slack");
        assert!(!b.claim(5), "3 own + 1 slack left: 5 cannot be paid");
        assert!(b.claim(4));
        for _ in 0..6 {
            assert!(a.take());
        }
        assert!(!a.take(), "nothing more than claimed");
        assert_eq!(used.get(), 6);
    }
}
