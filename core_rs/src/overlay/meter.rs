//! What one transaction costs, counted as it runs, and the limits that stop it.
//!
//! Every state operation a handler makes is one `state_op`; a write also adds its
//! bytes (full key plus value). The counts are recorded in the transaction's receipt,
//! refused or not, so the order of counting and checking is part of consensus: an
//! operation is counted first, then checked, and a refused one stays counted.

use crate::{CoreError, CoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meter {
    max_ops: u64,
    max_bytes: u64,
    ops: u64,
    bytes: u64,
}

impl Meter {
    pub fn new(max_ops: u64, max_bytes: u64) -> Meter {
        Meter {
            max_ops,
            max_bytes,
            ops: 0,
            bytes: 0,
        }
    }

    pub fn ops(&self) -> u64 {
        self.ops
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn max_ops(&self) -> u64 {
        self.max_ops
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Set the operation count (the host's own bookkeeping charges through the same meter).
    pub fn set_ops(&mut self, ops: u64) {
        self.ops = ops;
    }

    pub fn set_bytes(&mut self, bytes: u64) {
        self.bytes = bytes;
    }

    /// Count one state operation; refused once past `max_ops`.
    pub fn charge_op(&mut self) -> CoreResult<()> {
        self.ops = self.ops.saturating_add(1);
        if self.ops > self.max_ops {
            return Err(self.ops_refusal());
        }
        Ok(())
    }

    /// Count one write of `size` bytes: an operation first, then its bytes.
    pub fn charge_write(&mut self, size: u64) -> CoreResult<()> {
        self.charge_op()?;
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > self.max_bytes {
            return Err(CoreError::ResourceLimit(format!(
                "the transaction wrote more than {} bytes of state",
                self.max_bytes
            )));
        }
        Ok(())
    }

    /// The refusal of an operation past the limit.
    pub fn ops_refusal(&self) -> CoreError {
        CoreError::ResourceLimit(format!(
            "the transaction exceeded {} state operations",
            self.max_ops
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_then_refuses_past_the_operation_limit() {
        let mut meter = Meter::new(2, 100);
        assert!(meter.charge_op().is_ok());
        assert!(meter.charge_op().is_ok());
        let refused = meter.charge_op().unwrap_err();
        assert_eq!(refused.code(), "tx.resource_limit");
        assert_eq!(
            refused.detail(),
            "the transaction exceeded 2 state operations"
        );
        assert_eq!(meter.ops(), 3, "a refused operation stays counted");
    }

    #[test]
    fn a_write_counts_an_operation_and_its_bytes() {
        let mut meter = Meter::new(10, 100);
        meter.charge_write(60).unwrap();
        assert_eq!((meter.ops(), meter.bytes()), (1, 60));
        let refused = meter.charge_write(41).unwrap_err();
        assert_eq!(
            refused.detail(),
            "the transaction wrote more than 100 bytes of state"
        );
        assert_eq!((meter.ops(), meter.bytes()), (2, 101));
    }

    #[test]
    fn a_write_past_the_operation_limit_adds_no_bytes() {
        let mut meter = Meter::new(1, 100);
        meter.charge_op().unwrap();
        let refused = meter.charge_write(5).unwrap_err();
        assert_eq!(
            refused.detail(),
            "the transaction exceeded 1 state operations"
        );
        assert_eq!((meter.ops(), meter.bytes()), (2, 0));
    }

    #[test]
    fn huge_counts_saturate_instead_of_wrapping() {
        let mut meter = Meter::new(u64::MAX, u64::MAX);
        meter.set_ops(u64::MAX - 1);
        meter.set_bytes(u64::MAX - 1);
        meter.charge_write(u64::MAX).unwrap();
        assert_eq!((meter.ops(), meter.bytes()), (u64::MAX, u64::MAX));
        assert!(
            meter.charge_op().is_ok(),
            "saturated at the limit, not past it"
        );
    }
}
