//! State machines of the stock documents. Each action names the states it starts from; any
//! other start is an `invalid_transition` (409) and changes nothing.

use crate::org::string_enum;

string_enum!(
    /// The life of a purchase order.
    PoStatus {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        PartiallyReceived = "partially_received",
        Received = "received",
        Closed = "closed",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// The life of a transfer between two locations.
    TransferStatus {
        Requested = "requested",
        Approved = "approved",
        Shipped = "shipped",
        Received = "received",
        Closed = "closed",
        Cancelled = "cancelled",
    }
);

string_enum!(
    /// The life of a stock count.
    CountStatus {
        Open = "open",
        Submitted = "submitted",
        Approved = "approved",
        Cancelled = "cancelled",
    }
);

/// A refused transition: the action and the state it was tried in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub action: &'static str,
    pub from: &'static str,
}

impl std::fmt::Display for Transition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot {} a document that is {}", self.action, self.from)
    }
}

fn refuse<T>(action: &'static str, from: &'static str) -> Result<T, Transition> {
    Err(Transition { action, from })
}

impl PoStatus {
    /// Submitting: a draft goes to `submitted`, or straight to `approved` when its total does
    /// not need a manager (`needs_approval` false).
    pub fn submit(self, needs_approval: bool) -> Result<PoStatus, Transition> {
        match self {
            PoStatus::Draft if needs_approval => Ok(PoStatus::Submitted),
            PoStatus::Draft => Ok(PoStatus::Approved),
            s => refuse("submit", s.as_str()),
        }
    }

    /// A manager approves a submitted order.
    pub fn approve(self) -> Result<PoStatus, Transition> {
        match self {
            PoStatus::Submitted => Ok(PoStatus::Approved),
            s => refuse("approve", s.as_str()),
        }
    }

    /// Whether goods may be received against the order now.
    pub fn may_receive(self) -> Result<(), Transition> {
        match self {
            PoStatus::Approved | PoStatus::PartiallyReceived => Ok(()),
            s => refuse("receive", s.as_str()),
        }
    }

    /// The state after a receipt: `received` once every line has arrived in full.
    pub fn after_receipt(self, complete: bool) -> Result<PoStatus, Transition> {
        self.may_receive()?;
        Ok(if complete {
            PoStatus::Received
        } else {
            PoStatus::PartiallyReceived
        })
    }

    /// Goods go back to the supplier only from what was received, before the order closes.
    pub fn may_return(self) -> Result<(), Transition> {
        match self {
            PoStatus::PartiallyReceived | PoStatus::Received => Ok(()),
            s => refuse("return goods of", s.as_str()),
        }
    }

    /// Closing: nothing more will come.
    pub fn close(self) -> Result<PoStatus, Transition> {
        match self {
            PoStatus::PartiallyReceived | PoStatus::Received => Ok(PoStatus::Closed),
            s => refuse("close", s.as_str()),
        }
    }

    /// Cancelling: only before anything was received.
    pub fn cancel(self) -> Result<PoStatus, Transition> {
        match self {
            PoStatus::Draft | PoStatus::Submitted | PoStatus::Approved => Ok(PoStatus::Cancelled),
            s => refuse("cancel", s.as_str()),
        }
    }

    /// Lines and header may be edited only in a draft.
    pub fn may_edit(self) -> Result<(), Transition> {
        match self {
            PoStatus::Draft => Ok(()),
            s => refuse("edit", s.as_str()),
        }
    }
}

impl TransferStatus {
    /// The source side approves a request.
    pub fn approve(self) -> Result<TransferStatus, Transition> {
        match self {
            TransferStatus::Requested => Ok(TransferStatus::Approved),
            s => refuse("approve", s.as_str()),
        }
    }

    /// The goods leave the source.
    pub fn ship(self) -> Result<TransferStatus, Transition> {
        match self {
            TransferStatus::Approved => Ok(TransferStatus::Shipped),
            s => refuse("ship", s.as_str()),
        }
    }

    /// The goods arrive at the destination.
    pub fn receive(self) -> Result<TransferStatus, Transition> {
        match self {
            TransferStatus::Shipped => Ok(TransferStatus::Received),
            s => refuse("receive", s.as_str()),
        }
    }

    /// Differences accepted; the transfer is done.
    pub fn close(self) -> Result<TransferStatus, Transition> {
        match self {
            TransferStatus::Received => Ok(TransferStatus::Closed),
            s => refuse("close", s.as_str()),
        }
    }

    /// Cancelling: only before the goods left.
    pub fn cancel(self) -> Result<TransferStatus, Transition> {
        match self {
            TransferStatus::Requested | TransferStatus::Approved => Ok(TransferStatus::Cancelled),
            s => refuse("cancel", s.as_str()),
        }
    }
}

impl CountStatus {
    /// Figures may be entered while the count is open.
    pub fn may_count(self) -> Result<(), Transition> {
        match self {
            CountStatus::Open => Ok(()),
            s => refuse("count in", s.as_str()),
        }
    }

    /// Counting is done.
    pub fn submit(self) -> Result<CountStatus, Transition> {
        match self {
            CountStatus::Open => Ok(CountStatus::Submitted),
            s => refuse("submit", s.as_str()),
        }
    }

    /// A manager accepts the variances, which posts them.
    pub fn approve(self) -> Result<CountStatus, Transition> {
        match self {
            CountStatus::Submitted => Ok(CountStatus::Approved),
            s => refuse("approve", s.as_str()),
        }
    }

    /// Cancelling: nothing is posted.
    pub fn cancel(self) -> Result<CountStatus, Transition> {
        match self {
            CountStatus::Open | CountStatus::Submitted => Ok(CountStatus::Cancelled),
            s => refuse("cancel", s.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_order_happy_path_and_refusals() {
        let s = PoStatus::Draft.submit(true).unwrap();
        assert_eq!(s, PoStatus::Submitted);
        assert!(s.may_receive().is_err(), "not before approval");
        let s = s.approve().unwrap();
        let s = s.after_receipt(false).unwrap();
        assert_eq!(s, PoStatus::PartiallyReceived);
        assert!(s.cancel().is_err(), "nothing received may be cancelled");
        let s = s.after_receipt(true).unwrap();
        assert_eq!(s.close().unwrap(), PoStatus::Closed);
        assert_eq!(PoStatus::Draft.submit(false).unwrap(), PoStatus::Approved);
        assert!(PoStatus::Cancelled.may_receive().is_err());
        assert!(PoStatus::Closed.may_receive().is_err());
        assert!(PoStatus::Approved.may_edit().is_err());
        assert_eq!(
            PoStatus::Cancelled.approve().unwrap_err().to_string(),
            "cannot approve a document that is cancelled"
        );
    }

    #[test]
    fn every_po_action_from_every_state_is_decided() {
        // Terminal states accept nothing.
        for s in [PoStatus::Closed, PoStatus::Cancelled] {
            assert!(s.submit(false).is_err());
            assert!(s.approve().is_err());
            assert!(s.may_receive().is_err());
            assert!(s.close().is_err());
            assert!(s.cancel().is_err());
            assert!(s.may_return().is_err());
        }
    }

    #[test]
    fn transfer_path_and_refusals() {
        let s = TransferStatus::Requested.approve().unwrap();
        assert!(TransferStatus::Requested.ship().is_err());
        let s = s.ship().unwrap();
        assert!(s.cancel().is_err(), "shipped goods are in transit");
        let s = s.receive().unwrap();
        assert_eq!(s.close().unwrap(), TransferStatus::Closed);
        assert!(TransferStatus::Closed.receive().is_err());
    }

    #[test]
    fn count_path_and_refusals() {
        assert!(CountStatus::Submitted.may_count().is_err());
        let s = CountStatus::Open.submit().unwrap();
        assert_eq!(s.approve().unwrap(), CountStatus::Approved);
        assert!(CountStatus::Approved.cancel().is_err());
        assert!(CountStatus::Open.approve().is_err());
    }
}
